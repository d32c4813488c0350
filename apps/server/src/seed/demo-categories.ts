/** The demo category tree: departments and their categories, with what their products are like. */
export interface DemoCategory {
  handle: string;
  name: string;
  parent: string | null;
  nouns: readonly string[];
  /** Option titles and values the category's products vary in. */
  options: ReadonlyArray<{ title: string; values: readonly string[] }>;
  /** Price range in US cents. */
  price: readonly [number, number];
  weight: readonly [number, number];
}

const colours = ['Black', 'Navy', 'Olive', 'Sand', 'Rust', 'Grey', 'White', 'Forest'];
const sizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const shoeSizes = ['38', '39', '40', '41', '42', '43', '44', '45'];

export const departments = [
  { handle: 'apparel', name: 'Apparel' },
  { handle: 'footwear', name: 'Footwear' },
  { handle: 'home', name: 'Home' },
  { handle: 'electronics', name: 'Electronics' },
  { handle: 'outdoors', name: 'Outdoors' },
] as const;

export const categories: readonly DemoCategory[] = [
  {
    handle: 'jackets',
    name: 'Jackets',
    parent: 'apparel',
    nouns: ['Jacket', 'Parka', 'Anorak', 'Bomber', 'Shell'],
    options: [
      { title: 'Size', values: sizes },
      { title: 'Colour', values: colours },
    ],
    price: [7900, 34900],
    weight: [400, 1400],
  },
  {
    handle: 'shirts',
    name: 'Shirts',
    parent: 'apparel',
    nouns: ['Shirt', 'Oxford', 'Flannel', 'Tee', 'Polo'],
    options: [
      { title: 'Size', values: sizes },
      { title: 'Colour', values: colours },
    ],
    price: [1900, 8900],
    weight: [150, 400],
  },
  {
    handle: 'trousers',
    name: 'Trousers',
    parent: 'apparel',
    nouns: ['Chinos', 'Jeans', 'Trousers', 'Cargo Pants', 'Joggers'],
    options: [
      { title: 'Size', values: sizes },
      { title: 'Colour', values: colours },
    ],
    price: [3900, 12900],
    weight: [300, 800],
  },
  {
    handle: 'sneakers',
    name: 'Sneakers',
    parent: 'footwear',
    nouns: ['Sneaker', 'Runner', 'Trainer', 'Court Shoe'],
    options: [
      { title: 'Size', values: shoeSizes },
      { title: 'Colour', values: colours.slice(0, 5) },
    ],
    price: [5900, 18900],
    weight: [600, 1100],
  },
  {
    handle: 'boots',
    name: 'Boots',
    parent: 'footwear',
    nouns: ['Boot', 'Chelsea Boot', 'Hiking Boot', 'Work Boot'],
    options: [{ title: 'Size', values: shoeSizes }],
    price: [8900, 26900],
    weight: [900, 1800],
  },
  {
    handle: 'kitchen',
    name: 'Kitchen',
    parent: 'home',
    nouns: ['Skillet', 'Chef Knife', 'Teapot', 'Mixing Bowl', 'Cutting Board'],
    options: [{ title: 'Colour', values: colours.slice(0, 4) }],
    price: [1500, 19900],
    weight: [200, 3000],
  },
  {
    handle: 'bedding',
    name: 'Bedding',
    parent: 'home',
    nouns: ['Duvet Cover', 'Pillowcase', 'Throw', 'Quilt'],
    options: [
      { title: 'Size', values: ['Single', 'Double', 'King'] },
      { title: 'Colour', values: colours },
    ],
    price: [2900, 24900],
    weight: [300, 2500],
  },
  {
    handle: 'lighting',
    name: 'Lighting',
    parent: 'home',
    nouns: ['Desk Lamp', 'Pendant Light', 'Floor Lamp', 'Lantern'],
    options: [],
    price: [2400, 29900],
    weight: [500, 6000],
  },
  {
    handle: 'headphones',
    name: 'Headphones',
    parent: 'electronics',
    nouns: ['Headphones', 'Earbuds', 'Headset'],
    options: [{ title: 'Colour', values: ['Black', 'White', 'Navy'] }],
    price: [2900, 39900],
    weight: [30, 400],
  },
  {
    handle: 'speakers',
    name: 'Speakers',
    parent: 'electronics',
    nouns: ['Speaker', 'Soundbar', 'Radio'],
    options: [],
    price: [3900, 49900],
    weight: [300, 4000],
  },
  {
    handle: 'backpacks',
    name: 'Backpacks',
    parent: 'outdoors',
    nouns: ['Backpack', 'Daypack', 'Duffel', 'Rucksack'],
    options: [{ title: 'Colour', values: colours.slice(0, 6) }],
    price: [3900, 22900],
    weight: [400, 2000],
  },
  {
    handle: 'tents',
    name: 'Tents',
    parent: 'outdoors',
    nouns: ['Tent', 'Tarp', 'Bivy', 'Shelter'],
    options: [{ title: 'Capacity', values: ['1 person', '2 person', '4 person'] }],
    price: [9900, 59900],
    weight: [900, 5000],
  },
];

export const adjectives = [
  'Alpine',
  'Harbor',
  'Summit',
  'Meadow',
  'Coastal',
  'Urban',
  'Nordic',
  'Canyon',
  'Heritage',
  'Drift',
  'Ember',
  'Granite',
  'Willow',
  'Aurora',
  'Timber',
  'Pioneer',
  'Solstice',
  'Cobalt',
  'Juniper',
  'Tidal',
];

export const materials: Record<string, readonly string[]> = {
  apparel: [
    'Waxed Cotton',
    'Merino',
    'Linen',
    'Organic Cotton',
    'Recycled Nylon',
    'Corduroy',
    'Denim',
    'Fleece',
  ],
  footwear: ['Leather', 'Suede', 'Canvas', 'Knit', 'Nubuck'],
  home: ['Cast Iron', 'Stoneware', 'Oak', 'Walnut', 'Linen', 'Brass', 'Ceramic', 'Steel'],
  electronics: ['Wireless', 'Noise-Cancelling', 'Portable', 'Studio', 'Compact'],
  outdoors: ['Ripstop', 'Ultralight', 'Waterproof', 'Canvas', 'Expedition'],
};
