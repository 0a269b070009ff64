// The person's delivery addresses, kept by the shop's backend, and a form for a new one:
// every kind of picker, a form that submits named values, and reset.
const app = getApp();

const cities = {
  Zhejiang: ['Hangzhou', 'Ningbo', 'Wenzhou'],
  Guangdong: ['Guangzhou', 'Shenzhen'],
  Beijing: ['Dongcheng', 'Haidian']
};
const provinces = Object.keys(cities);

Page({
  data: {
    regions: [provinces, cities[provinces[0]]],
    regionIndex: [0, 0],
    regionText: 'not chosen',
    types: [{ id: 'home', label: 'Home' }, { id: 'office', label: 'Office' }, { id: 'pickup', label: 'Pick-up point' }],
    typeIndex: 0,
    date: '2026-12-24',
    time: '10:00',
    days: ['Today', 'Tomorrow', 'Day after'],
    windows: ['09:00-12:00', '12:00-15:00', '15:00-18:00', '18:00-21:00'],
    slot: [0, 0],
    slotText: 'Today 09:00-12:00',
    result: 'Not saved yet.',
    addresses: []
  },

  // Saved addresses, when the person already logged in to the shop; saving logs in if needed.
  onLoad() {
    // Addresses are personal: the menu offers no Share on this page.
    wx.hideShareMenu();
    if (wx.getStorageSync('session')) {
      app.call('/api/addresses')
        .then((res) => this.setData({ addresses: res.addresses }))
        .catch(() => {});
    }
  },

  onRegionColumn(event) {
    const { column, value } = event.detail;
    if (column === 0) {
      this.setData({ 'regions[1]': cities[provinces[value]], regionIndex: [value, 0] });
    }
  },

  onRegion(event) {
    const [p, c] = event.detail.value;
    this.setData({ regionIndex: [p, c], regionText: `${provinces[p]}, ${cities[provinces[p]][c]}` });
  },

  onType(event) {
    this.setData({ typeIndex: Number(event.detail.value) });
  },

  onDate(event) {
    this.setData({ date: event.detail.value });
  },

  onTime(event) {
    this.setData({ time: event.detail.value });
  },

  onSlot(event) {
    const [day, window] = event.detail.value;
    this.setData({ slot: [day, window], slotText: `${this.data.days[day]} ${this.data.windows[window]}` });
  },

  onSubmit(event) {
    const value = event.detail.value;
    if (!value.name) {
      wx.showToast({ title: 'Enter a name', icon: 'none' });
      return;
    }
    const region = this.data.regionText === 'not chosen' ? '' : this.data.regionText;
    const detail = [(value.street || '').trim(), region].filter(Boolean).join(', ');
    const address = { name: value.name, phone: value.phone, detail };
    app.logIn()
      .then(() => app.call('/api/addresses', { method: 'POST', data: address }))
      .then((res) => this.setData({
        addresses: res.addresses,
        result: `Saved: ${JSON.stringify(value)}; slot ${this.data.slotText}`
      }))
      .catch((error) => this.setData({ result: `Not saved: ${error.message}` }));
  },

  onReset() {
    this.setData({ result: 'Cleared.' });
  }
});
