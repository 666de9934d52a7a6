/**
 * Images in chat and generate requests (#15): which models take them, and Ollama's `[img-N]` tags
 * (server/prompt.go imageTaggedMessages). The runner turns each tag into the image's place.
 */
import { ApiError, BadRequestError } from '../../api/errors.js';
import type { ImageData, Message } from '../../api/types.js';
import type { ResolvedModel } from '../model.js';
import { NO_MULTIMODAL_MESSAGE, projectorFor, type ServerDeps } from './common.js';

/** Tokens an image counts when history is truncated to fit (Ollama's chatPrompt: 768). */
export const IMAGE_TOKENS_ESTIMATE = 768;

/**
 * Images need a vision model (else Ollama 0.33's 400) with a projector libmtmd can load: a
 * projector layer, or a vision tower embedded in the weights in a layout we translate into one
 * (docs/compat.md#towers). A tower we do not know is a 501, never an image silently dropped.
 */
export async function requireVision(deps: ServerDeps, m: ResolvedModel, caps: readonly string[], signal?: AbortSignal): Promise<void> {
  if (!caps.includes('vision')) throw new BadRequestError(NO_MULTIMODAL_MESSAGE);
  if ((await projectorFor(deps, m, signal)) === undefined) {
    throw new ApiError(501, `${m.fullName}: its vision encoder is inside the model weights in a layout this server cannot translate for libmtmd (docs/compat.md#towers lists the families it can)`);
  }
}

/** The images' bytes, in order (base64 in the API). */
export function imageBytes(images: readonly ImageData[]): Uint8Array[] {
  return images.map((s) => new Uint8Array(Buffer.from(s, 'base64')));
}

/**
 * Ollama's imageTaggedMessages: each image of each message, numbered from 0 across the messages,
 * replaces the message's next `[img]` with `[img-N]`, or is put in front of its text as `[img-N]`
 * (no space). `clearImages` drops the images from the messages (the GGUF chat template path).
 */
export function imageTaggedMessages(messages: readonly Message[], clearImages: boolean): Message[] {
  let id = 0;
  return messages.map((msg) => {
    const images = msg.images ?? [];
    if (images.length === 0) return msg;
    let prefix = '';
    let content = msg.content ?? '';
    for (let i = 0; i < images.length; i++) {
      const tag = `[img-${id++}]`;
      if (!content.includes('[img]')) prefix += tag;
      else content = content.replace('[img]', () => tag);
    }
    const out: Message = { ...msg, content: prefix + content };
    if (clearImages) delete out.images;
    return out;
  });
}

/** Every image of the messages, in order (the tags' numbering). */
export function messageImages(messages: readonly Message[]): ImageData[] {
  return messages.flatMap((x) => x.images ?? []);
}
