// Demo catalogue; a real shop loads this with wx.request. The shop's backend keeps its own
// copy of the prices and charges those. Pictures are package files (web/media/make-shop-photos.sh
// makes them): thumbnails and banners in the main package, gallery photos in the product
// subpackage; with `photoPerSpec`, photo N shows spec N.
const categories = [
  { id: 'all', name: 'All' },
  { id: 'kitchen', name: 'Kitchen' },
  { id: 'tea', name: 'Tea' },
  { id: 'bags', name: 'Bags' },
  { id: 'stationery', name: 'Stationery' }
];

const products = [
  {
    id: 'p1', title: 'Ceramic mug', price: 39, stock: 12, tag: 'New', category: 'kitchen', description: 'Glazed stoneware, 350 ml.',
    specs: ['White', 'Sky blue', 'Sage green'],
    thumb: '/images/thumbs/p1.jpg',
    photos: ['/packageProduct/images/p1-1.jpg', '/packageProduct/images/p1-2.jpg', '/packageProduct/images/p1-3.jpg'],
    photoPerSpec: true,
    details: '<h3>Details</h3><p>Made by hand in <b>Jingdezhen</b>.</p><ul><li>Dishwasher safe</li><li>Microwave safe</li></ul>',
    video: '/packageProduct/media/mug.mp4',
    customizable: true
  },
  { id: 'p2', title: 'Linen tote bag', price: 59, stock: 0, tag: '', category: 'bags', description: 'Natural linen, inner pocket.', specs: ['Natural', 'Charcoal'],
    thumb: '/images/thumbs/p2.jpg', photos: ['/packageProduct/images/p2-1.jpg', '/packageProduct/images/p2-2.jpg'], photoPerSpec: true },
  { id: 'p3', title: 'Green tea, 100 g', price: 88, stock: 30, tag: 'Hot', category: 'tea', description: 'Spring harvest from Hangzhou.', specs: ['Tin', 'Gift box'],
    thumb: '/images/thumbs/p3.jpg', photos: ['/packageProduct/images/p3-1.jpg', '/packageProduct/images/p3-2.jpg'], photoPerSpec: true },
  { id: 'p4', title: 'Notebook A5', price: 25, stock: 7, tag: '', category: 'stationery', description: 'Dotted pages, lay-flat binding.', specs: ['Dotted', 'Lined', 'Blank'],
    thumb: '/images/thumbs/p4.jpg', photos: ['/packageProduct/images/p4-1.jpg', '/packageProduct/images/p4-2.jpg'] }
];

// The home page's banners: each opens a product.
const banners = [
  { id: 'b1', text: 'New season: handmade stoneware', product: 'p1', image: '/images/banners/b1.jpg', color: '#f4d8c4' },
  { id: 'b2', text: 'Spring harvest from Hangzhou', product: 'p3', image: '/images/banners/b2.jpg', color: '#d7ead0' },
  { id: 'b3', text: 'Back to school: paper goods', product: 'p4', image: '/images/banners/b3.jpg', color: '#e8e1f5' }
];

function findProduct(id) {
  return products.find((item) => item.id === id);
}

module.exports = { categories, products, banners, findProduct };
