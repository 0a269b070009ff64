// Demo catalogue; a real shop loads this with wx.request.
const products = [
  {
    id: 'p1', title: 'Ceramic mug', price: 39, stock: 12, tag: 'New', description: 'Glazed stoneware, 350 ml.',
    photos: ['#f4d8c4', '#cfe3f0', '#e8e1f5'],
    details: '<h3>Details</h3><p>Made by hand in <b>Jingdezhen</b>.</p><ul><li>Dishwasher safe</li><li>Microwave safe</li></ul>',
    video: '/media/shop-promo.mp4',
    customizable: true
  },
  { id: 'p2', title: 'Linen tote bag', price: 59, stock: 0, tag: '', description: 'Natural linen, inner pocket.' },
  { id: 'p3', title: 'Green tea, 100 g', price: 88, stock: 30, tag: 'Hot', description: 'Spring harvest from Hangzhou.' },
  { id: 'p4', title: 'Notebook A5', price: 25, stock: 7, tag: '', description: 'Dotted pages, lay-flat binding.' }
];

function findProduct(id) {
  return products.find((item) => item.id === id);
}

module.exports = { products, findProduct };
