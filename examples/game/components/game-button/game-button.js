// The game's action button. `kind` names a look from the app's stylesheet (`button-primary`,
// `button-plain`), which reaches this component because it asks for global classes
// (addGlobalClass). Taps bubble out to the host, so the page binds `bindtap` on it.
Component({
  options: {
    addGlobalClass: true
  },

  properties: {
    kind: { type: String, value: 'button-plain' },
    loading: { type: Boolean, value: false }
  }
});
