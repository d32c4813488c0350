const MAX_LENGTH = 80;

// Letters that Unicode does not decompose into a base letter plus accents.
const LETTERS: Readonly<Record<string, string>> = {
  æ: 'ae',
  ø: 'o',
  œ: 'oe',
  ß: 'ss',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/**
 * A URL handle from a title: lower case ASCII letters and digits joined by single hyphens,
 * accents dropped (`Crème Brûlée` → `creme-brulee`), `&` read as "and". Never empty.
 */
export function slugify(title: string, fallback = 'product'): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{Mark}+/gu, '')
    .toLowerCase()
    .replace(/[æøœßłđðþı]/g, (c) => LETTERS[c] ?? '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_LENGTH)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

/** The handles to try, in order, when `base` may be taken: `base`, `base-2` … `base-<count>`. */
export function handleCandidates(base: string, count = 10): string[] {
  return [base, ...Array.from({ length: count - 1 }, (_, i) => `${base}-${i + 2}`)];
}
