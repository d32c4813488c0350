/** The name of the unique constraint or index a PostgreSQL error (23505) violated, if it is one. */
export function violatedUnique(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  if (code !== '23505') return undefined;
  return typeof constraint === 'string' ? constraint : '';
}

/** True for a foreign-key violation (23503), e.g. a category deleted while a product links to it. */
export function isForeignKeyViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503';
}
