const { products } = require('../../utils/data.js');

const app = getApp();

Page({
  data: {
    keyword: '',
    shown: products,
    total: products.length
  },

  onSearch(event) {
    const keyword = event.detail.value.trim().toLowerCase();
    this.setData({
      keyword: event.detail.value,
      shown: products.filter((item) => item.title.toLowerCase().includes(keyword))
    });
  },

  onOpen(event) {
    wx.navigateTo({ url: `/packageProduct/pages/detail/detail?id=${event.detail.id}` });
  },

  onAdd(event) {
    app.addToCart(event.detail.id);
    wx.showToast({ title: 'Added', icon: 'success' });
  },

  onPullDownRefresh() {
    this.setData({ keyword: '', shown: products });
    wx.stopPullDownRefresh();
  }
});
