// One order: its status as the shop's server knows it from the platform's payment callback.
const app = getApp();

const STATUS = { unpaid: 'Awaiting payment', paid: 'Paid', closed: 'Closed' };
const STATUS_ICON = { unpaid: 'waiting', paid: 'success', closed: 'cancel' };

Page({
  data: {
    order: null,
    status: '',
    statusIcon: 'waiting',
    lines: [],
    total: '',
    error: ''
  },

  onLoad(query) {
    this.no = query.no;
    this.load();
  },

  onPullDownRefresh() {
    this.load();
  },

  load() {
    app.logIn()
      .then(() => app.call(`/api/orders/${this.no}`))
      .then((order) => {
        this.setData({
          order,
          status: STATUS[order.status] || order.status,
          statusIcon: STATUS_ICON[order.status] || 'info',
          lines: order.lines.map((line, index) => ({ key: index, title: line.title, spec: line.spec, count: line.count, price: (line.price / 100).toFixed(2) })),
          total: (order.total / 100).toFixed(2)
        });
        wx.stopPullDownRefresh();
      })
      .catch((error) => this.setData({ error: error.message }));
  }
});
