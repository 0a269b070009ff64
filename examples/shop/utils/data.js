// Demo catalogue; a real shop loads this with wx.request. The shop's backend keeps its own
// copy of the prices and charges those.
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
    photos: ['#f4d8c4', '#cfe3f0', '#e8e1f5'],
    details: '<h3>Details</h3><p>Made by hand in <b>Jingdezhen</b>.</p><ul><li>Dishwasher safe</li><li>Microwave safe</li></ul>',
    video: '/media/shop-promo.mp4',
    customizable: true
  },
  { id: 'p2', title: 'Linen tote bag', price: 59, stock: 0, tag: '', category: 'bags', description: 'Natural linen, inner pocket.', specs: ['Natural', 'Charcoal'], photos: ['#e6dccb', '#4a4a4a'] },
  { id: 'p3', title: 'Green tea, 100 g', price: 88, stock: 30, tag: 'Hot', category: 'tea', description: 'Spring harvest from Hangzhou.', specs: ['Tin', 'Gift box'], photos: ['#d7ead0', '#b9d8a8'] },
  { id: 'p4', title: 'Notebook A5', price: 25, stock: 7, tag: '', category: 'stationery', description: 'Dotted pages, lay-flat binding.', specs: ['Dotted', 'Lined', 'Blank'], photos: ['#e8e1f5', '#f5f0e1'] }
];

// The home page's banners: each opens a product.
const banners = [
  { id: 'b1', text: 'New season: handmade stoneware', product: 'p1', color: '#f4d8c4' },
  { id: 'b2', text: 'Spring harvest from Hangzhou', product: 'p3', color: '#d7ead0' },
  { id: 'b3', text: 'Back to school: paper goods', product: 'p4', color: '#e8e1f5' }
];

function findProduct(id) {
  return products.find((item) => item.id === id);
}

module.exports = { categories, products, banners, findProduct };
