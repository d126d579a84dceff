// Optional vitest globalSetup: builds the cached Debian image once before the image tests run.
import { ensureDebianImage } from "./helpers/debian-image.js";

export default function setup(): void {
  ensureDebianImage();
}
