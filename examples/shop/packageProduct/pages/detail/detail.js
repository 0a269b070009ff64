const { findProduct } = require('../../../utils/data.js');

const app = getApp();

Page({
  data: {
    product: null
  },

  onLoad(query) {
    const product = findProduct(query.id) || null;
    this.setData({ product });
    if (product) {
      wx.setNavigationBarTitle({ title: product.title });
    }
  },

  onAdd() {
    app.addToCart(this.data.product.id);
    wx.showToast({ title: 'Added', icon: 'success' });
  },

  onShareAppMessage() {
    return {
      title: this.data.product ? this.data.product.title : 'Capsule Shop',
      path: `/packageProduct/pages/detail/detail?id=${this.data.product ? this.data.product.id : ''}`
    };
  }
});
