// The signed-in person's own availability (available / away), as a switch in the top bar. Shown
// only to members of a team in the directory; auto-assignment never gives work to someone away.

import { get, put } from './api.js';
import { h, replace } from './dom.js';

export async function renderAvailability(app) {
  const box = document.querySelector('[data-testid="availability"]');
  let person;
  try {
    ({ data: person } = await get('/api/people/me'));
  } catch (error) {
    app.announceError(error, 'Your availability could not be loaded');
    return;
  }
  // Someone in no team (a manager, say) is never auto-assigned: nothing to switch.
  if (!Array.isArray(person?.teams) || person.teams.length === 0) return;
  const toggle = h('input', { type: 'checkbox', role: 'switch', id: 'my-availability', checked: person.availability !== 'away' });
  toggle.addEventListener('change', async () => {
    const availability = toggle.checked ? 'available' : 'away';
    toggle.disabled = true;
    try {
      const { data } = await put('/api/people/me/availability', { availability });
      toggle.checked = data.availability !== 'away';
      app.announce(data.availability === 'away' ? 'You are away: nothing new is assigned to you.' : 'You are available for new work.');
    } catch (error) {
      toggle.checked = !toggle.checked;
      app.announceError(error, 'Your availability could not be changed');
    } finally {
      toggle.disabled = false;
    }
  });
  replace(box, toggle, h('label', { for: 'my-availability' }, 'Available for new work'));
  box.hidden = false;
}
