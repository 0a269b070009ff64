// The host's cashier sheet, opened when a mini-program calls tt.pay / wx.requestPayment /
// my.tradePay: who is paid, for what and how much, paid with Alipay after the payer's PIN.
// The server decides what the mini-program hears from the order's state once the sheet closes.

import { askToLogIn, me, post } from './account.js';
import { appIcon, modalDialog, yuan } from './sheet.js';

/**
 * Shows the cashier for `order` (what `/api/cashier/{id}` answers, plus its `order_token`)
 * inside `parent`; resolves to 'paid' or 'cancel'.
 */
export async function cashierSheet(parent, order) {
  if (!(await me()) && !(await askToLogIn(parent, `Log in to pay ${order.merchant}`))) return 'cancel';
  return new Promise((resolve) => {
    const { mask, box: form } = modalDialog(parent, { tag: 'form', className: 'cashier', label: 'Cashier' });
    form.innerHTML = `<h2>Pay with Alipay</h2>
      <p class="merchant"></p>
      <p class="subject"></p>
      <p class="amount" aria-label="Amount"></p>
      <label>Alipay payment PIN <input name="pin" type="password" inputmode="numeric" autocomplete="off" maxlength="6" required></label>
      <p class="hint">Sandbox Alipay: the PIN is 111111</p>
      <p class="error" role="alert"></p>
      <div class="actions">
        <button type="button" class="cancel">Cancel</button>
        <button type="submit" class="confirm"></button>
      </div>`;
    form.querySelector('.merchant').append(appIcon(order.icon), ` ${order.merchant}`);
    form.querySelector('.subject').textContent = order.subject;
    form.querySelector('.amount').textContent = yuan(order.total_amount);
    const confirm = form.querySelector('.confirm');
    confirm.textContent = `Pay ${yuan(order.total_amount)}`;
    const error = form.querySelector('.error');
    form.querySelector('input').focus();
    const finish = (outcome) => { mask.remove(); resolve(outcome); };
    form.querySelector('.cancel').addEventListener('click', () => finish('cancel'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      confirm.disabled = true;
      error.textContent = '';
      try {
        await post(`/api/cashier/${encodeURIComponent(order.order_id)}/pay`,
          { order_token: order.order_token, pin: form.elements.pin.value });
        finish('paid');
      } catch (failure) {
        error.textContent = failure.message;
        confirm.disabled = false;
      }
    });
  });
}
