/** Where Mantine keeps the chosen colour scheme in the browser (read before the first paint, too). */
export const COLOR_SCHEME_KEY = "tandem-color-scheme";
