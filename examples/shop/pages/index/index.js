const { banners, categories, products } = require('../../utils/data.js');

const app = getApp();

// Products of a category ('all' for every one) whose titles contain the keyword.
function matching(category, keyword) {
  const wanted = keyword.trim().toLowerCase();
  return products.filter(
    (item) => (category === 'all' || item.category === category) && item.title.toLowerCase().includes(wanted)
  );
}

Page({
  data: {
    keyword: '',
    banners,
    banner: 0,
    categories,
    category: 'all',
    shown: products,
    total: products.length
  },

  // The cart may have changed on another page (checkout empties it).
  onShow() {
    app.showCartBadge();
  },

  onSearch(event) {
    this.setData({ keyword: event.detail.value, shown: matching(this.data.category, event.detail.value) });
  },

  // The keyboard's Search key: the results are already shown; the keyboard closes.
  onSearchConfirm(event) {
    const keyword = event.detail.value.trim();
    this.setData({ keyword, shown: matching(this.data.category, keyword) });
  },

  onClearSearch() {
    this.setData({ keyword: '', shown: matching(this.data.category, '') });
  },

  onCategory(event) {
    const category = event.currentTarget.dataset.id;
    this.setData({ category, shown: matching(category, this.data.keyword) });
  },

  onBanner(event) {
    this.setData({ banner: event.detail.current });
  },

  onBannerTap(event) {
    wx.navigateTo({ url: `/packageProduct/pages/detail/detail?id=${event.currentTarget.dataset.id}` });
  },

  onOpen(event) {
    wx.navigateTo({ url: `/packageProduct/pages/detail/detail?id=${event.detail.id}` });
  },

  onAdd(event) {
    app.addToCart(event.detail.id);
    wx.showToast({ title: 'Added', icon: 'success' });
    app.showCartBadge();
  },

  onPullDownRefresh() {
    this.setData({ keyword: '', category: 'all', shown: products });
    wx.stopPullDownRefresh();
  }
});
