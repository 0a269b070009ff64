const app = getApp();

Page({
  data: {
    userName: '',
    // The shop's picture for guests; one that fails to load shows the person's initial instead.
    avatarUrl: '/images/avatars/guest.jpg',
    avatarFailed: false,
    initial: '',
    cartCount: 0,
    menu: [
      { key: 'orders', title: 'My orders' },
      { key: 'cart', title: 'My cart' },
      { key: 'addresses', title: 'My addresses' },
      { key: 'help', title: 'Help' }
    ],
    notify: false,
    interests: [
      { value: 'tea', name: 'Tea', checked: false },
      { value: 'kitchen', name: 'Kitchen', checked: false },
      { value: 'stationery', name: 'Stationery', checked: false }
    ],
    liked: '',
    budget: 100,
    budgetShown: 100,
    giftNumber: '',
    giftResult: '',
    partnerNote: '',
    loggedIn: false
  },

  // wx.login gives a one-time code for the shop's own server, which trades it for the user's
  // openid with jscode2session (the AppSecret never reaches the mini-program).
  onLogin() {
    wx.login({
      success: (res) => {
        app.globalData.loginCode = res.code;
        console.log('login code for the shop server: ' + res.code);
        this.setData({ loggedIn: res.isLogin !== false && Boolean(res.code) });
      },
      fail: () => wx.showToast({ title: 'Not logged in', icon: 'none' })
    });
  },

  onNotify(event) {
    this.setData({ notify: event.detail.value });
  },

  onInterests(event) {
    const picked = event.detail.value;
    this.setData({
      liked: picked.join(', '),
      interests: this.data.interests.map((item) => ({ ...item, checked: picked.includes(item.value) }))
    });
  },

  // While the thumb is dragged, the limit above it follows.
  onBudgetChanging(event) {
    this.setData({ budgetShown: event.detail.value });
  },

  onBudget(event) {
    this.setData({ budget: event.detail.value, budgetShown: event.detail.value });
  },

  onAvatarError() {
    this.setData({ avatarFailed: true });
  },

  onGiftNumber(event) {
    this.setData({ giftNumber: event.detail.value });
  },

  // The PIN's Done key: the shop has no gift cards to redeem yet.
  onRedeem(event) {
    const number = this.data.giftNumber;
    if (!number || !event.detail.value) {
      this.setData({ giftResult: 'Enter the card number and its PIN.' });
      return;
    }
    this.setData({ giftResult: `No gift card ends in ${number.slice(-4)}.` });
  },

  onPartnerFail() {
    this.setData({ partnerNote: 'Cinema Tickets cannot be opened from here. Find it under Mini Programs.' });
  },

  onShow() {
    app.showCartBadge();
    const userName = app.globalData.userName;
    this.setData({ userName, initial: userName.charAt(0).toUpperCase(), cartCount: app.cartCount() });
  },

  onMenu(event) {
    const { key } = event.currentTarget.dataset;
    if (key === 'cart') {
      wx.switchTab({ url: '/pages/cart/cart' });
    } else if (key === 'orders') {
      wx.navigateTo({ url: '/packageAccount/pages/orders/orders' });
    } else if (key === 'addresses') {
      wx.navigateTo({ url: '/packageAccount/pages/address/address' });
    } else {
      wx.showToast({ title: 'Coming soon', icon: 'none' });
    }
  }
});
