// A labelled number in a box (the score, the best). Its styles are its own: the page's and the
// app's classes do not reach inside (styleIsolation 'isolated'); the page styles the box from
// outside through :host and colours the number through the `value-class` external class.
Component({
  options: {
    styleIsolation: 'isolated'
  },

  externalClasses: ['value-class'],

  properties: {
    label: { type: String, value: '' },
    value: { type: Number, value: 0 }
  }
});
