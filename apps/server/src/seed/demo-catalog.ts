import { adjectives, categories, type DemoCategory, departments, materials } from './demo-categories.ts';
import { between, pick, seeded } from './random.ts';

export interface DemoVariant {
  sku: string;
  title: string;
  options: Record<string, string>;
  prices: Array<{ amount: number; currency_code: string }>;
  weight_grams: number;
  barcode: string;
  stock: number;
}

export interface DemoProduct {
  index: number;
  handle: string;
  title: string;
  description: string;
  categoryHandle: string;
  attributes: Record<string, string>;
  options: Array<{ title: string; values: string[] }>;
  variants: DemoVariant[];
  images: Array<{ url: string; alt: string; width: number; height: number }>;
  createdAt: Date;
}

export { categories as demoCategories, departments as demoDepartments };

const EPOCH = Date.UTC(2025, 0, 1);
const SPAN_MS = 700 * 24 * 3600 * 1000;
const brands = [
  'Northwind',
  'Fjordline',
  'Kestrel & Co',
  'Oakridge',
  'Lumen',
  'Bramble',
  'Halden',
  'Stellar',
];
const palette = ['#2f4858', '#33658a', '#86bbd8', '#758e4f', '#f6ae2d', '#f26419', '#8d6a9f', '#c44536'];

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Rounds cents to a price ending in .99 (or .00 below a dollar) so prices look like shop prices. */
const shopPrice = (cents: number): number => (cents < 100 ? 99 : Math.floor(cents / 100) * 100 + 99);

/** Every option combination, in a stable order. */
function combinations(options: DemoCategory['options']): Array<Record<string, string>> {
  let out: Array<Record<string, string>> = [{}];
  for (const option of options) {
    out = out.flatMap((partial) => option.values.map((value) => ({ ...partial, [option.title]: value })));
  }
  return out;
}

/**
 * Product number `index` of the deterministic demo catalog: the same on every machine, whatever
 * the batch it is generated in. Handles and SKUs carry the index, so they are unique.
 */
export function demoProduct(index: number): DemoProduct {
  const rand = seeded(index * 2654435761 + 17);
  const category = categories[index % categories.length] as DemoCategory;
  const department = category.parent ?? category.handle;
  const adjective = pick(rand, adjectives);
  const material = pick(rand, materials[department] ?? ['Classic']);
  const noun = pick(rand, category.nouns);
  const title = `${adjective} ${material} ${noun}`;
  const handle = `${slug(title)}-${index.toString(36)}`;
  const brand = pick(rand, brands);

  // Pick 1–12 option combinations, spread over the whole set so sizes and colours both vary.
  const all = combinations(category.options);
  const count = Math.min(all.length, between(rand, 1, 12));
  const stride = Math.max(1, Math.floor(all.length / count));
  const offset = between(rand, 0, stride - 1);
  const chosen = Array.from({ length: count }, (_, i) => all[(offset + i * stride) % all.length] ?? {});
  const usedValues = category.options
    .map((o) => ({ title: o.title, values: o.values.filter((v) => chosen.some((c) => c[o.title] === v)) }))
    .filter((o) => o.values.length > 0);

  const base = between(rand, category.price[0], category.price[1]);
  const variants = chosen.map((combo, i): DemoVariant => {
    const usd = shopPrice(base + (combo.Size === 'XXL' || combo.Size === 'King' ? 1000 : 0));
    const label = Object.values(combo).join(' / ') || 'Default';
    return {
      sku: `EMP-${index.toString(36).toUpperCase()}-${i + 1}`,
      title: label,
      options: combo,
      prices: [
        { amount: usd, currency_code: 'usd' },
        { amount: shopPrice(Math.round(usd * 0.92)), currency_code: 'eur' },
        { amount: shopPrice(Math.round(usd * 0.79)), currency_code: 'gbp' },
      ],
      weight_grams: between(rand, category.weight[0], category.weight[1]),
      barcode: String(4006381000000 + index * 16 + i).padStart(13, '0'),
      // About one variant in eight is sold out, so availability shows in the demo.
      stock: rand() < 0.125 ? 0 : between(rand, 1, 120),
    };
  });

  const colour = pick(rand, palette);
  const images = [1, 2].map((n) => ({
    url: `/media/demo/${handle}-${n}.svg?c=${colour.slice(1)}`,
    alt: `${title}, view ${n}`,
    width: 1200,
    height: 1200,
  }));

  return {
    index,
    handle,
    title,
    description:
      `The ${title} from ${brand}: ${material.toLowerCase()} ${noun.toLowerCase()} made for everyday use, ` +
      `built to last and easy to care for. Part of our ${category.name.toLowerCase()} range.`,
    categoryHandle: category.handle,
    attributes: { brand, material },
    options: usedValues,
    variants,
    images,
    createdAt: new Date(EPOCH + Math.floor(((index * 7919) % 10_000) * (SPAN_MS / 10_000))),
  };
}
