/** The GGUF's own Jinja chat template: a bounded engine and llama.cpp's way of feeding it. */
export { compileJinja, renderJinja, JinjaError, JinjaLimitError, JinjaRaisedError, JINJA_MAX_ITEMS, JINJA_MAX_OUTPUT, JINJA_MAX_RANGE, JINJA_MAX_STEPS, JINJA_TIMEOUT_MS, type JinjaLimits } from './engine.js';
export { renderChatTemplate, templateMessages, toolArgumentsForm, type ChatTemplateInput, type ChatTemplateVocab } from './chat.js';
export { supportsEnableThinking } from './reasoning.js';
export { templateCaps, type TemplateCaps } from './caps.js';
export { handlerFor, outputTags, type Handler } from './llamacpp.js';
