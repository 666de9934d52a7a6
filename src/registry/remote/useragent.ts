/** The User-Agent registry requests carry: the one every Tollama request carries (see src/version.ts). */
export { USER_AGENT as VERSION_UA } from '../../version.js';
