// The filtered view: mentions the spam filter held out of the team queues, with the reasons, and a
// Restore button that hands one off as the pipeline would. Also the volume spike banner.

import { get, post, seg } from './api.js';
import { h, replace } from './dom.js';

export class FilteredView {
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.list = root.querySelector('[data-testid="filtered-list"]');
  }

  async show() {
    try {
      const { data } = await get('/api/filtered?limit=200');
      this.render(Array.isArray(data?.items) ? data.items : []);
    } catch (error) {
      this.app.announceError(error, 'The filtered mentions could not be loaded');
    }
  }

  render(items) {
    if (items.length === 0) {
      replace(this.list, h('p', { class: 'muted', testid: 'filtered-empty' }, 'Nothing is filtered.'));
      return;
    }

    replace(this.list, h('ul', { class: 'filtered-items' }, items.map((item) => {
      const who = item.handle ? `@${item.handle.replace(/^@/, '')}` : item.source;
      const button = h('button', { type: 'button', class: 'button', 'aria-label': `Restore the mention from ${who}` }, 'Restore');
      button.addEventListener('click', () => this.restore(item, button));
      return h('li', { class: 'filtered-item', testid: 'filtered-item' },
        h('p', { class: 'filtered-text' }, item.text),
        h('p', { class: 'muted' }, `${who} on ${item.source}`, item.followers != null ? `, ${item.followers} followers` : ''),
        h('ul', { class: 'chips', 'aria-label': 'Why it was filtered' }, item.reasons.map((r) => h('li', { class: 'chip' }, r))),
        button);
    })));
  }

  async restore(item, button) {
    button.disabled = true;
    try {
      const { data } = await post(`/api/filtered/${seg(item.key)}/restore`, {});
      this.app.announce(`Restored: handed off as ${data.mention.handoffId}.`);
      await this.show();
    } catch (error) {
      button.disabled = false;
      this.app.announceError(error, 'Restore failed');
    }
  }
}

/** Shows the volume spikes under way in the banner above every view (hidden when there are none). */
export async function renderSpikes(banner) {
  let active = [];
  try {
    const { data } = await get('/api/spikes');
    active = Array.isArray(data?.active) ? data.active : [];
  } catch {
    return;
  }

  banner.hidden = active.length === 0;
  replace(banner, active.length === 0 ? null : h('ul', {}, active.map((spike) =>
    h('li', { testid: 'spike' },
      h('strong', {}, `Volume spike: ${spike.series}`),
      ` ${spike.count} mentions this hour (spike at ${spike.threshold}), team ${spike.team}. Top words: ${spike.topWords.join(', ')}.`,
      spike.examples.length ? h('span', { class: 'muted' }, ` e.g. "${spike.examples[0]}"`) : null))));
}
