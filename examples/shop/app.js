const { products } = require('./utils/data.js');

App({
  globalData: {
    cart: [],
    userName: 'Guest'
  },

  onLaunch() {
    const saved = wx.getStorageSync('cart');
    if (Array.isArray(saved)) {
      this.globalData.cart = saved;
    }
  },

  addToCart(productId) {
    const product = products.find((item) => item.id === productId);
    if (!product) {
      return;
    }
    const line = this.globalData.cart.find((item) => item.id === productId);
    if (line) {
      line.count += 1;
    } else {
      this.globalData.cart.push({ id: product.id, title: product.title, price: product.price, count: 1 });
    }
    wx.setStorageSync('cart', this.globalData.cart);
  },

  cartCount() {
    return this.globalData.cart.reduce((sum, item) => sum + item.count, 0);
  }
});
