// Capsule's base library: App, Page, Component, Behavior, setData and the wx/tt API object.
// It runs first in every session's context and returns the internal entry points the Rust
// session calls. `native` holds the only functions the sandbox grants; it is never exposed.
(function (native, sources) {
  'use strict';
  var stringify = JSON.stringify;
  var parse = JSON.parse;
  var keysOf = Object.keys;
  var freeze = Object.freeze;
  var defineProperty = Object.defineProperty;
  var hasOwn = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var isArray = Array.isArray;
  var PromiseCtor = Promise;
  var global = globalThis;

  function toJson(value) { var s = stringify(value); return s === undefined ? 'null' : s; }
  function fromJson(text) { return text === undefined || text === null ? undefined : parse(text); }
  function clone(value) { return value === undefined ? undefined : parse(stringify(value)); }
  function isPlainObject(v) { return v !== null && typeof v === 'object' && !isArray(v); }
  function errorText(e) { return e && e.stack ? String(e.message) + '\n' + e.stack : String(e && e.message || e); }
  function report(e) { native.error(errorText(e)); }
  function guard(fn, self, args) {
    try { return fn.apply(self, args || []); } catch (e) { report(e); return undefined; }
  }

  // ---- modules: CommonJS over the app's files ------------------------------------------
  var modules = Object.create(null);
  function resolvePath(from, target) {
    var parts = target.charAt(0) === '/' ? [] : from.split('/').slice(0, -1);
    var segments = target.split('/');
    for (var i = 0; i < segments.length; i++) {
      var p = segments[i];
      if (p === '..') parts.pop(); else if (p !== '.' && p !== '') parts.push(p);
    }
    var path = parts.join('/');
    if (sources.has(path)) return path;
    if (sources.has(path + '.js')) return path + '.js';
    if (sources.has(path + '/index.js')) return path + '/index.js';
    return path;
  }
  function requireModule(path, from) {
    var cached = modules[path];
    if (cached) return cached.exports;
    var factory = sources.load(path);
    if (typeof factory !== 'function') {
      throw new Error('module "' + path + '" is not defined' + (from ? ' (required from ' + from + ')' : ''));
    }
    var module = { exports: {} };
    modules[path] = module;
    var require = function (target) { return requireModule(resolvePath(path, String(target)), path); };
    try {
      factory.call(module.exports, require, module, module.exports, App, Page, Component, Behavior, getApp, getCurrentPages, wx, wx);
    } catch (e) {
      delete modules[path];
      throw e;
    }
    return module.exports;
  }

  // ---- data paths: 'a.b[1].c' ------------------------------------------------------------
  function parsePath(key) {
    var out = [];
    var re = /([^.[\]]+)|\[(\d+)\]/g;
    var m;
    while ((m = re.exec(key)) !== null) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    return out;
  }
  function setPath(data, key, value) {
    var path = parsePath(key);
    if (path.length === 0) return;
    var node = data;
    for (var i = 0; i < path.length - 1; i++) {
      var seg = path[i];
      var next = node[seg];
      if (next === null || typeof next !== 'object') {
        next = typeof path[i + 1] === 'number' ? [] : {};
        node[seg] = next;
      }
      node = next;
    }
    node[path[path.length - 1]] = value;
  }
  function getPath(data, key) {
    var path = parsePath(key);
    var node = data;
    for (var i = 0; i < path.length; i++) {
      if (node === null || node === undefined) return undefined;
      node = node[path[i]];
    }
    return node;
  }
  // Whether a setData key reaches an observed field: `a` or `a.b` reach `a.b`; `a.b.c` reaches
  // `a.b` only when the observer asks for `a.b.**`.
  function pathTouches(changed, field) {
    if (field === '**') return true;
    var deep = /\.\*\*$/.test(field);
    var a = parsePath(changed), b = parsePath(field.replace(/\.\*\*$/, ''));
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
    return a.length <= b.length || deep;
  }

  // ---- registries ----------------------------------------------------------------------
  var appDefinition = null;
  var appInstance = null;
  var pageDefinitions = Object.create(null);
  var componentDefinitions = Object.create(null);
  var currentlyLoading = null; // the path of the page or component whose module is running
  var instances = Object.create(null);
  var pageStack = [];

  function App(options) {
    if (appDefinition) throw new Error('App() may only be called once');
    appDefinition = options || {};
    appInstance = Object.create(null);
    var src = appDefinition;
    keysOf(src).forEach(function (k) { appInstance[k] = src[k]; });
    if (!appInstance.globalData) appInstance.globalData = {};
  }
  function getApp() { return appInstance; }
  function getCurrentPages() {
    return pageStack.map(function (id) { return instances[id] && instances[id].pub; }).filter(Boolean);
  }
  function Page(options) {
    if (!currentlyLoading) throw new Error('Page() must be called while a page module loads');
    pageDefinitions[currentlyLoading] = { page: true, options: options || {} };
  }
  function Behavior(options) {
    return freeze({ __behavior: true, options: options || {} });
  }
  function Component(options) {
    if (!currentlyLoading) throw new Error('Component() must be called while a component module loads');
    componentDefinitions[currentlyLoading] = { page: false, options: options || {} };
  }

  var PROPERTY_TYPES = [String, Number, Boolean, Object, Array, null];
  function normalizeProperty(def) {
    if (def === null || PROPERTY_TYPES.indexOf(def) >= 0 || typeof def === 'function') {
      return { type: def, value: undefined, observer: null, optionalTypes: [] };
    }
    return { type: def.type === undefined ? null : def.type, value: def.value, observer: def.observer || null,
      optionalTypes: def.optionalTypes || [] };
  }
  function defaultOf(prop) {
    if (prop.value !== undefined) return clone(prop.value);
    switch (prop.type) {
      case String: return '';
      case Number: return 0;
      case Boolean: return false;
      case Array: return [];
      case Object: return null;
      default: return null;
    }
  }
  function coerce(prop, value) {
    var types = [prop.type].concat(prop.optionalTypes);
    if (prop.type === null || prop.type === undefined) return value;
    for (var i = 0; i < types.length; i++) {
      var t = types[i];
      if (t === String && typeof value === 'string') return value;
      if (t === Number && typeof value === 'number') return value;
      if (t === Boolean && typeof value === 'boolean') return value;
      if (t === Array && isArray(value)) return value;
      if (t === Object && value !== null && typeof value === 'object') return value;
      if (t === null) return value;
    }
    if (value === null || value === undefined) return defaultOf(prop);
    switch (prop.type) {
      case String: return typeof value === 'object' ? stringify(value) : String(value);
      case Number: { var n = Number(value); return isNaN(n) ? 0 : n; }
      case Boolean: return !!value;
      case Array: return [];
      case Object: return null;
      default: return value;
    }
  }

  // Merges behaviors (depth first, in order) and the definition into one description.
  function flatten(options) {
    var out = { data: {}, properties: {}, methods: {}, lifetimes: {}, pageLifetimes: {}, observers: [],
      relations: {}, externalClasses: [], options: {}, behaviors: [] };
    var lifetimeNames = ['created', 'attached', 'ready', 'moved', 'detached', 'error'];
    function add(o, isRoot) {
      (o.behaviors || []).forEach(function (b) {
        if (b && b.__behavior) add(b.options, false);
        else if (typeof b === 'string') out.behaviors.push(b);
      });
      var data = typeof o.data === 'function' ? o.data() : o.data;
      if (data) keysOf(data).forEach(function (k) { out.data[k] = data[k]; });
      if (o.properties) keysOf(o.properties).forEach(function (k) { out.properties[k] = normalizeProperty(o.properties[k]); });
      if (o.methods) keysOf(o.methods).forEach(function (k) { out.methods[k] = o.methods[k]; });
      lifetimeNames.forEach(function (n) {
        var fn = (o.lifetimes && o.lifetimes[n]) || o[n];
        if (typeof fn === 'function') (out.lifetimes[n] = out.lifetimes[n] || []).push(fn);
      });
      if (o.pageLifetimes) keysOf(o.pageLifetimes).forEach(function (n) {
        (out.pageLifetimes[n] = out.pageLifetimes[n] || []).push(o.pageLifetimes[n]);
      });
      if (o.observers) keysOf(o.observers).forEach(function (k) {
        out.observers.push({ fields: k.split(',').map(function (f) { return f.trim(); }), fn: o.observers[k] });
      });
      if (o.relations) keysOf(o.relations).forEach(function (k) { out.relations[k] = o.relations[k]; });
      if (o.externalClasses) out.externalClasses = out.externalClasses.concat(o.externalClasses);
      if (isRoot && o.options) out.options = o.options;
    }
    add(options, true);
    return out;
  }

  // ---- instances -----------------------------------------------------------------------
  function loadDefinition(path, isPage) {
    var table = isPage ? pageDefinitions : componentDefinitions;
    if (!table[path] && !(isPage && componentDefinitions[path])) {
      currentlyLoading = path;
      try { requireModule(resolvePath('', '/' + path + '.js')); } finally { currentlyLoading = null; }
    }
    var def = table[path] || (isPage ? componentDefinitions[path] : pageDefinitions[path]);
    if (!def) throw new Error((isPage ? 'Page' : 'Component') + ' "' + path + '" did not call ' + (isPage ? 'Page()' : 'Component()'));
    return def;
  }

  function Instance(id, kind, path, def, pageId) {
    var self = this;
    this.id = id; this.kind = kind; this.path = path; this.def = def; this.pageId = pageId;
    this.callbacks = [];
    this.links = Object.create(null);
    var pub = Object.create(null);
    this.pub = pub;
    var o = def.options;
    if (def.page) {
      // Page({...}): every non-data key lands on the instance.
      keysOf(o).forEach(function (k) { if (k !== 'data') pub[k] = o[k]; });
      this.flat = flatten({ data: o.data, behaviors: o.behaviors, options: o.options });
      this.flat.page = o;
    } else {
      this.flat = flatten(o);
      var methods = this.flat.methods;
      keysOf(methods).forEach(function (k) { pub[k] = methods[k]; });
      if (kind === 'page') {
        // A page built with Component(): its page events are methods.
        this.flat.page = methods;
      }
    }
    var data = clone(this.flat.data) || {};
    var props = this.flat.properties;
    keysOf(props).forEach(function (k) { if (!hasOwn(data, k)) data[k] = defaultOf(props[k]); });
    pub.data = data;
    pub.properties = data;
    pub.is = path; pub.route = path; pub.__wxExparserNodeId__ = 'capsule-' + id;
    pub.options = kind === 'page' ? {} : undefined;
    pub.setData = function (payload, callback) { setData(self, payload, callback); };
    pub.triggerEvent = function (name, detail, options) { triggerEvent(self, name, detail, options); };
    pub.selectComponent = function (sel) { return selectComponents(self, sel, false); };
    pub.selectAllComponents = function (sel) { return selectComponents(self, sel, true); };
    pub.createSelectorQuery = function () { return createSelectorQuery(self); };
    pub.getRelationNodes = function (path) { return (self.links[path] || []).map(function (i) { return instances[i] && instances[i].pub; }).filter(Boolean); };
    pub.getPageId = function () { return 'pageId:' + (self.pageId); };
    pub.hasBehavior = function () { return false; };
    pub.getOpenerEventChannel = function () { return { on: function () {}, emit: function () {}, once: function () {} }; };
    instances[id] = this;
  }

  function setData(inst, payload, callback) {
    if (!isPlainObject(payload)) throw new TypeError('setData expects an object');
    var data = inst.pub.data;
    var changed = [];
    var keys = keysOf(payload);
    var olds = {};
    var props = inst.flat.properties;
    for (var i = 0; i < keys.length; i++) {
      var key = keys[i];
      var value = payload[key];
      if (value === undefined) continue;
      if (hasOwn(props, key)) olds[key] = data[key];
      changed.push(key);
    }
    var json = toJson(payload);
    native.setData(inst.id, json); // throws when the payload is over the limit
    var copy = parse(json);
    for (var j = 0; j < changed.length; j++) setPath(data, changed[j], copy[changed[j]]);
    if (typeof callback === 'function') inst.callbacks.push(callback);
    runObservers(inst, changed, olds);
  }

  function runObservers(inst, changed, olds) {
    var props = inst.flat.properties;
    var data = inst.pub.data;
    changed.forEach(function (key) {
      if (hasOwn(olds, key) && props[key].observer) {
        var observer = props[key].observer;
        var fn = typeof observer === 'string' ? inst.pub[observer] : observer;
        if (typeof fn === 'function') guard(fn, inst.pub, [data[key], olds[key], [key]]);
      }
    });
    inst.flat.observers.forEach(function (obs) {
      var hit = obs.fields.some(function (field) {
        return changed.some(function (key) { return pathTouches(key, field); });
      });
      if (hit) {
        var args = obs.fields.map(function (field) {
          return field === '**' ? data : getPath(data, field.replace(/\.\*\*$/, ''));
        });
        guard(obs.fn, inst.pub, args);
      }
    });
  }

  function setProperties(id, json) {
    var inst = instances[id];
    if (!inst) return;
    var incoming = parse(json);
    var props = inst.flat.properties;
    var payload = {};
    var any = false;
    keysOf(incoming).forEach(function (k) {
      if (!hasOwn(props, k)) return;
      var value = coerce(props[k], incoming[k]);
      if (stringify(value) !== stringify(inst.pub.data[k])) { payload[k] = value; any = true; }
    });
    if (any) setData(inst, payload);
  }

  function callList(inst, list, args) {
    if (!list) return undefined;
    var result;
    for (var i = 0; i < list.length; i++) result = guard(list[i], inst.pub, args);
    return result;
  }

  function lifetime(id, name, argJson) {
    var inst = instances[id];
    if (!inst) return undefined;
    var arg = fromJson(argJson);
    var result;
    if (name.indexOf('page:') === 0) {
      result = callList(inst, inst.flat.pageLifetimes[name.slice(5)], [arg]);
    } else if (inst.kind === 'page') {
      var fn = inst.flat.page[name] || (inst.def.page ? undefined : inst.flat.methods[name]);
      if (name === 'onLoad' || name === 'onShow' || name === 'onReady' || name === 'onHide' || name === 'onUnload') {
        if (!inst.def.page) {
          var map = { onLoad: 'attached', onReady: 'ready', onUnload: 'detached' };
          if (name === 'onLoad') callList(inst, inst.flat.lifetimes.created, []);
          if (map[name]) callList(inst, inst.flat.lifetimes[map[name]], []);
          if (name === 'onShow' || name === 'onHide') callList(inst, inst.flat.pageLifetimes[name === 'onShow' ? 'show' : 'hide'], []);
        } else if (name === 'onLoad') {
          callList(inst, inst.flat.lifetimes.created, []);
          callList(inst, inst.flat.lifetimes.attached, []);
        }
      }
      if (name === 'onLoad') inst.pub.options = arg || {};
      if (typeof fn === 'function') result = guard(fn, inst.pub, [arg]);
    } else {
      result = callList(inst, inst.flat.lifetimes[name], []);
    }
    if (name === 'onUnload' || name === 'detached') {
      // The instance leaves the tree; its callbacks never run.
      inst.callbacks = [];
      if (name === 'onUnload') delete instances[id];
    }
    return result === undefined ? undefined : toJson(result);
  }

  function createPage(id, route, queryJson) {
    var def = loadDefinition(route, true);
    var inst = new Instance(id, 'page', route, def, id);
    inst.pub.options = fromJson(queryJson) || {};
    return toJson(inst.pub.data);
  }
  function createComponent(id, path, pageId) {
    var def = loadDefinition(path, false);
    var inst = new Instance(id, 'component', path, def, pageId);
    return toJson({ data: inst.pub.data, externalClasses: inst.flat.externalClasses,
      relations: keysOf(inst.flat.relations).map(function (k) {
        return { path: k, type: inst.flat.relations[k].type, target: inst.flat.relations[k].target ? String(inst.flat.relations[k].target) : null };
      }), multipleSlots: !!inst.flat.options.multipleSlots,
      addGlobalClass: !!inst.flat.options.addGlobalClass, styleIsolation: inst.flat.options.styleIsolation || null,
      properties: keysOf(inst.flat.properties) });
  }
  function forgetComponent(id) {
    delete instances[id];
  }
  function relation(id, path, otherId, kind) {
    var inst = instances[id], other = instances[otherId];
    if (!inst) return;
    var rel = inst.flat.relations[path];
    var list = inst.links[path] || (inst.links[path] = []);
    if (kind === 'linked') { if (list.indexOf(otherId) < 0) list.push(otherId); }
    else if (kind === 'unlinked') { var i = list.indexOf(otherId); if (i >= 0) list.splice(i, 1); }
    if (rel && typeof rel[kind] === 'function') guard(rel[kind], inst.pub, [other ? other.pub : undefined]);
  }

  function flushed(idsJson) {
    parse(idsJson).forEach(function (id) {
      var inst = instances[id];
      if (!inst || inst.callbacks.length === 0) return;
      var list = inst.callbacks; inst.callbacks = [];
      list.forEach(function (cb) { guard(cb, inst.pub, []); });
    });
  }

  // ---- events --------------------------------------------------------------------------
  // A plan is the ordered list of handler calls the Rust side computed for one event.
  // An input handler that returns a string (or {value}) replaces the field's text, as in WeChat;
  // the last such answer is returned to the Rust side, which sends it to the view.
  function runPlan(planJson) {
    var plan = parse(planJson);
    var replacement = null;
    for (var i = 0; i < plan.calls.length; i++) {
      var call = plan.calls[i];
      var inst = instances[call.instance];
      if (!inst) continue;
      var fn = inst.pub[call.handler];
      if (typeof fn !== 'function') {
        native.log('warn', 'Component "' + inst.path + '" does not have a method "' + call.handler + '" to handle event "' + plan.event.type + '".');
        continue;
      }
      var event = {
        type: plan.event.type, timeStamp: plan.event.timeStamp, detail: plan.event.detail,
        target: call.target, currentTarget: call.currentTarget, mark: call.mark,
        touches: plan.event.touches || [], changedTouches: plan.event.changedTouches || [],
        mut: !!call.mut,
      };
      var result = guard(fn, inst.pub, [event]);
      if (plan.event.type !== 'input') continue;
      if (typeof result === 'string' || typeof result === 'number') replacement = String(result);
      else if (isPlainObject(result) && result.value !== undefined) replacement = String(result.value);
    }
    return replacement;
  }
  function triggerEvent(inst, name, detail, options) {
    var plan = native.trigger(inst.id, String(name), toJson(detail === undefined ? {} : detail), toJson(options || {}));
    if (plan) runPlan(plan);
  }
  function selectComponents(inst, selector, all) {
    var ids = parse(native.select(inst.id, String(selector), !!all));
    var found = ids.map(function (i) { return instances[i] && instances[i].pub; }).filter(Boolean);
    return all ? found : (found[0] || null);
  }
  function createSelectorQuery(scope) {
    var ops = [];
    var query = {
      in: function (component) { if (component && component.__wxExparserNodeId__) scope = instances[Number(component.__wxExparserNodeId__.slice(8))] || scope; return query; },
      select: function (s) { return nodesRef(s, false); },
      selectAll: function (s) { return nodesRef(s, true); },
      selectViewport: function () { return nodesRef('viewport', false); },
      exec: function (cb) {
        var results = ops.map(function (op) { return fromJson(native.query(scope ? scope.id : 0, toJson(op))); });
        ops.forEach(function (op, i) { if (op.cb) guard(op.cb, null, [results[i]]); });
        if (typeof cb === 'function') guard(cb, null, [results]);
        return query;
      },
    };
    function nodesRef(selector, all) {
      function add(fields, cb) { var op = { selector: selector, all: all, fields: fields }; defineProperty(op, 'cb', { value: cb }); ops.push(op); return query; }
      return {
        boundingClientRect: function (cb) { return add({ id: true, dataset: true, rect: true, size: true }, cb); },
        scrollOffset: function (cb) { return add({ id: true, dataset: true, scrollOffset: true }, cb); },
        fields: function (f, cb) { return add(f || {}, cb); },
        node: function (cb) { return add({ node: true }, cb); },
      };
    }
    return query;
  }

  // ---- the wx / tt object ----------------------------------------------------------------
  var callbacks = Object.create(null);
  var nextCallback = 1;
  function finish(name, options, ok, result, resolve, reject) {
    var res = isPlainObject(result) ? result : {};
    if (!ok && res.__reason !== undefined) res = { errMsg: name + ':fail ' + res.__reason };
    if (!res.errMsg) res.errMsg = name + (ok ? ':ok' : ':fail');
    if (ok) { if (options.success) guard(options.success, null, [res]); }
    else if (options.fail) guard(options.fail, null, [res]);
    if (options.complete) guard(options.complete, null, [res]);
    if (resolve) (ok ? resolve : reject)(res);
  }
  function usesCallbacks(o) { return typeof o.success === 'function' || typeof o.fail === 'function' || typeof o.complete === 'function'; }
  // An async API whose answer comes back through `resolve(callbackId, ...)`.
  function asyncApi(name, start) {
    return function (options) {
      options = isPlainObject(options) ? options : {};
      var promise = null, resolve = null, reject = null;
      if (!usesCallbacks(options)) promise = new PromiseCtor(function (a, b) { resolve = a; reject = b; });
      var id = nextCallback++;
      callbacks[id] = function (ok, result) { finish(name, options, ok, result, resolve, reject); };
      var task = start(id, options);
      return promise || task;
    };
  }
  function resolveCallback(id, ok, json) {
    var cb = callbacks[id];
    if (!cb) return;
    delete callbacks[id];
    cb(ok, fromJson(json));
  }
  function argsOf(options) {
    var out = {};
    keysOf(options).forEach(function (k) { if (typeof options[k] !== 'function') out[k] = options[k]; });
    return toJson(out);
  }
  function hostApi(name) {
    return asyncApi(name, function (id, options) { native.callAsync(name, argsOf(options), id); });
  }
  function syncApi(name) {
    return function () {
      var reply = parse(native.callSync(name, toJson(Array.prototype.slice.call(arguments))));
      if (reply.error) throw new Error(reply.error);
      return reply.value;
    };
  }
  // Async forms of the storage and info APIs run the sync ones.
  function viaSync(name, syncName, pick) {
    return asyncApi(name, function (id, options) {
      var reply = parse(native.callSync(syncName, toJson(pick(options))));
      // Answered on the event loop, as the platform does.
      native.callAsync('__echo', toJson(reply.error ? { ok: false, value: { errMsg: name + ':fail ' + reply.error } }
        : { ok: true, value: wrapResult(reply.value) }), id);
      function wrapResult(v) {
        if (name === 'getStorage') return { data: v };
        if (name === 'getExtConfig') return { extConfig: v };
        return isPlainObject(v) ? v : {};
      }
    });
  }

  var wx = {};
  ['navigateTo', 'redirectTo', 'navigateBack', 'switchTab', 'reLaunch'].forEach(function (name) {
    wx[name] = asyncApi(name, function (id, options) { native.route(name, argsOf(options), id); });
  });
  ['showToast', 'hideToast', 'showModal', 'showLoading', 'hideLoading', 'showActionSheet',
    'setNavigationBarTitle', 'setNavigationBarColor', 'showNavigationBarLoading', 'hideNavigationBarLoading',
    'startPullDownRefresh', 'stopPullDownRefresh', 'pageScrollTo', 'setBackgroundColor', 'setTabBarBadge',
    'removeTabBarBadge', 'showTabBarRedDot', 'hideTabBarRedDot', 'showTabBar', 'hideTabBar', 'setTabBarStyle',
    'setTabBarItem', 'login', 'checkSession', 'getUserInfo', 'getUserProfile',
    'requestPayment', 'pay', 'tradePay', 'scanCode', 'showShareMenu', 'hideShareMenu', 'navigateToMiniProgram',
    'navigateBackMiniProgram', 'exitMiniProgram', 'getSetting', 'openSetting', 'authorize', 'makePhoneCall',
    'setClipboardData', 'getClipboardData', 'vibrateShort', 'vibrateLong', 'getNetworkType', 'previewImage',
    'chooseImage', 'chooseAddress', 'getLocation', 'openLocation', 'requestSubscribeMessage'].forEach(function (name) {
    wx[name] = hostApi(name);
  });
  wx.request = function (options) {
    options = isPlainObject(options) ? options : {};
    var aborted = false;
    var id;
    var run = asyncApi('request', function (cbId) { id = cbId; native.callAsync('request', argsOf(options), cbId); });
    var result = run(options);
    var task = { abort: function () { if (!aborted && id) { aborted = true; native.cancel(id); } },
      onHeadersReceived: function () {}, offHeadersReceived: function () {} };
    return usesCallbacks(options) ? task : result;
  };
  ['getStorageSync', 'setStorageSync', 'removeStorageSync', 'clearStorageSync', 'getStorageInfoSync',
    'getSystemInfoSync', 'getWindowInfo', 'getDeviceInfo', 'getAppBaseInfo', 'getLaunchOptionsSync',
    'getEnterOptionsSync', 'getAccountInfoSync', 'getExtConfigSync', 'getMenuButtonBoundingClientRect'].forEach(function (name) {
    wx[name] = syncApi(name);
  });
  wx.getStorage = viaSync('getStorage', 'getStorageSync', function (o) { return [o.key]; });
  wx.setStorage = viaSync('setStorage', 'setStorageSync', function (o) { return [o.key, o.data]; });
  wx.removeStorage = viaSync('removeStorage', 'removeStorageSync', function (o) { return [o.key]; });
  wx.clearStorage = viaSync('clearStorage', 'clearStorageSync', function () { return []; });
  wx.getStorageInfo = viaSync('getStorageInfo', 'getStorageInfoSync', function () { return []; });
  wx.getSystemInfo = viaSync('getSystemInfo', 'getSystemInfoSync', function () { return []; });
  wx.getSystemInfoAsync = wx.getSystemInfo;
  wx.getExtConfig = viaSync('getExtConfig', 'getExtConfigSync', function () { return []; });
  wx.nextTick = function (fn) { PromiseCtor.resolve().then(function () { guard(fn, null, []); }); };
  wx.canIUse = function (name) { return typeof wx[String(name).split('.')[0]] !== 'undefined'; };
  wx.createSelectorQuery = function () { var pages = getCurrentPages(); var top = pages[pages.length - 1]; return createSelectorQuery(top ? instances[Number(top.__wxExparserNodeId__.slice(8))] : null); };
  wx.env = { USER_DATA_PATH: 'capsulefile://usr' };
  // Automation hooks (mockWxMethod) replace entries here; the base keeps the originals.
  var originals = {};
  keysOf(wx).forEach(function (k) { originals[k] = wx[k]; });

  // ---- timers and console ------------------------------------------------------------
  var timers = Object.create(null);
  var nextTimer = 1;
  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== 'function') throw new TypeError('the callback must be a function');
    var id = nextTimer++;
    var ms = Math.max(0, Number(delay) || 0);
    timers[id] = { fn: fn, args: args, repeat: repeat, delay: ms };
    native.timer(id, ms);
    return id;
  }
  function clearTimer(id) { if (timers[id]) { delete timers[id]; native.clearTimer(Number(id)); } }
  function fireTimer(id) {
    var t = timers[id];
    if (!t) return;
    if (t.repeat) native.timer(id, t.delay); else delete timers[id];
    guard(t.fn, null, t.args);
  }
  global.setTimeout = function (fn, delay) { return addTimer(fn, delay, Array.prototype.slice.call(arguments, 2), false); };
  global.setInterval = function (fn, delay) { return addTimer(fn, delay, Array.prototype.slice.call(arguments, 2), true); };
  global.clearTimeout = clearTimer;
  global.clearInterval = clearTimer;
  function show(args) {
    return Array.prototype.map.call(args, function (a) {
      if (typeof a === 'string') return a;
      try { var s = stringify(a); return s === undefined ? String(a) : s; } catch (e) { return String(a); }
    }).join(' ');
  }
  global.console = freeze({
    log: function () { native.log('log', show(arguments)); },
    info: function () { native.log('info', show(arguments)); },
    debug: function () { native.log('debug', show(arguments)); },
    warn: function () { native.log('warn', show(arguments)); },
    error: function () { native.log('error', show(arguments)); },
  });
  global.App = App; global.Page = Page; global.Component = Component; global.Behavior = Behavior;
  global.getApp = getApp; global.getCurrentPages = getCurrentPages; global.wx = wx; global.tt = wx;
  global.requirePlugin = function () { throw new Error('plugins are not available'); };

  function appLifetime(name, argJson) {
    if (!appDefinition) return undefined;
    var fn = appDefinition[name];
    if (typeof fn !== 'function') return 'false';
    guard(fn, appInstance, [fromJson(argJson)]);
    return 'true';
  }

  // ---- automation ------------------------------------------------------------------------
  function callMethod(id, name, argsJson) {
    var inst = instances[id];
    if (!inst) throw new Error('no such page or component');
    var fn = inst.pub[name];
    if (typeof fn !== 'function') throw new Error(name + ' is not a method');
    return settle(fn.apply(inst.pub, parse(argsJson)));
  }
  // Promises are awaited by the caller through a callback id.
  function settle(value) {
    if (value && typeof value.then === 'function') {
      var id = nextCallback++;
      callbacks[id] = null;
      value.then(function (v) { native.settled(id, true, toJson(v)); }, function (e) { native.settled(id, false, toJson(e instanceof Error ? errorText(e) : e)); });
      return toJson({ pending: id });
    }
    return toJson({ value: value });
  }
  function evaluate(source, argsJson) {
    var fn = (0, eval)('(' + source + ')');
    return settle(fn.apply(null, parse(argsJson)));
  }
  function callWx(name, argsJson) {
    var fn = wx[name];
    if (typeof fn !== 'function') throw new Error('wx.' + name + ' is not a function');
    return settle(fn.apply(wx, parse(argsJson)));
  }
  function mockWx(name, source, argsJson, resultJson) {
    if (source !== undefined && source !== null) {
      var factory = (0, eval)('(' + source + ')');
      var args = parse(argsJson);
      var origin = originals[name];
      wx[name] = function () { return factory.apply({ origin: origin }, Array.prototype.slice.call(arguments).concat(args)); };
    } else {
      var result = parse(resultJson);
      wx[name] = function (options) {
        options = options || {};
        if (options.success) guard(options.success, null, [result]);
        if (options.complete) guard(options.complete, null, [result]);
        return usesCallbacks(options) ? undefined : PromiseCtor.resolve(result);
      };
    }
  }
  function restoreWx(name) { if (originals[name]) wx[name] = originals[name]; }
  function dataOf(id, path) {
    var inst = instances[id];
    if (!inst) throw new Error('no such page or component');
    return toJson(path ? getPath(inst.pub.data, path) : inst.pub.data);
  }
  function setDataOf(id, json) { var inst = instances[id]; if (inst) setData(inst, parse(json)); }

  return {
    boot: function (path) { requireModule(path); return appDefinition ? 'true' : 'false'; },
    appLifetime: appLifetime,
    createPage: createPage,
    createComponent: createComponent,
    forgetComponent: forgetComponent,
    lifetime: lifetime,
    setProperties: setProperties,
    relation: relation,
    flushed: flushed,
    runPlan: runPlan,
    resolve: resolveCallback,
    fireTimer: fireTimer,
    setPageStack: function (json) { pageStack = parse(json); },
    callMethod: callMethod,
    evaluate: evaluate,
    callWx: callWx,
    mockWx: mockWx,
    restoreWx: restoreWx,
    dataOf: dataOf,
    setDataOf: setDataOf,
  };
})
