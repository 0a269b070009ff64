const app = getApp();

Page({
  data: {
    userName: '',
    avatarUrl: '',
    cartCount: 0,
    menu: [
      { key: 'orders', title: 'My orders' },
      { key: 'cart', title: 'My cart' },
      { key: 'help', title: 'Help' }
    ]
  },

  onShow() {
    this.setData({ userName: app.globalData.userName, cartCount: app.cartCount() });
  },

  onMenu(event) {
    const { key } = event.currentTarget.dataset;
    if (key === 'cart') {
      wx.switchTab({ url: '/pages/cart/cart' });
    } else {
      wx.showToast({ title: 'Coming soon', icon: 'none' });
    }
  }
});
