/** One JSON-pointer segment (RFC 6901): `~` and `/` in an option title stay unambiguous. */
export function pointerSegment(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
