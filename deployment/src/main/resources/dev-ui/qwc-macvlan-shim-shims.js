import { QwcHotReloadElement, html, css } from 'qwc-hot-reload-element';
import { JsonRpc } from 'jsonrpc';
import '@vaadin/button';
import '@vaadin/progress-bar';

/**
 * The macvlan-shim page: shims, owned routes with the instances they serve, conflicts, sources and the last
 * reconcile, as the engine's status document has them; "Reconcile now" asks for one at once. Plain tables, so
 * every value is text a test (or a screen reader) can find.
 */
export class QwcMacvlanShimShims extends QwcHotReloadElement {

    jsonRpc = new JsonRpc(this);

    static styles = css`
        :host { display: flex; flex-direction: column; gap: 1em; padding: 1em; }
        table { border-collapse: collapse; }
        th, td { text-align: left; padding: 0.25em 1em 0.25em 0; vertical-align: top; }
        th { color: var(--lumo-contrast-60pct); font-weight: normal; }
        h3 { margin: 0.5em 0 0.25em 0; }
        .bar { display: flex; gap: 1em; align-items: center; }
        .empty { color: var(--lumo-contrast-50pct); }
        .error { color: var(--lumo-error-text-color); }
    `;

    static properties = {
        _status: { state: true },
        _busy: { state: true },
        _error: { state: true }
    };

    constructor() {
        super();
        this._status = null;
        this._busy = false;
        this._error = null;
    }

    connectedCallback() {
        super.connectedCallback();
        this.hotReload();
    }

    hotReload() {
        this.jsonRpc.getStatus().then(response => this._show(response), error => this._fail(error));
    }

    _reconcileNow() {
        this._busy = true;
        this.jsonRpc.reconcileNow().then(response => this._show(response), error => this._fail(error));
    }

    _show(response) {
        this._status = response.result;
        this._busy = false;
        this._error = null;
    }

    _fail(error) {
        this._busy = false;
        this._error = error && error.error ? error.error.message : String(error);
    }

    render() {
        if (this._error) {
            return html`<div class="error" id="error">${this._error}</div>`;
        }
        if (!this._status) {
            return html`<vaadin-progress-bar indeterminate></vaadin-progress-bar>`;
        }
        const s = this._status;
        return html`
            <div class="bar">
                <vaadin-button id="reconcile-now" theme="primary" ?disabled=${this._busy}
                        @click=${() => this._reconcileNow()}>Reconcile now</vaadin-button>
                <span id="host-network">${s.hostNetwork}</span>
            </div>
            ${this._lastReconcile(s)}
            ${this._shims(s.shims)}
            ${this._routes(s.routes)}
            ${this._conflicts(s.conflicts)}
            ${this._sources(s.sources)}`;
    }

    _lastReconcile(s) {
        const last = s.lastReconcile;
        return html`
            <h3>Last reconcile</h3>
            <table id="last-reconcile">
                <tr><th>time</th><td>${last.time}</td></tr>
                <tr><th>trigger</th><td>${last.trigger}</td></tr>
                <tr><th>outcome</th><td class="outcome">${last.outcome}</td></tr>
                <tr><th>message</th><td>${last.message}</td></tr>
                <tr><th>ready</th><td>${s.ready ? 'yes' : 'no: ' + s.reasons.join('; ')}</td></tr>
            </table>`;
    }

    _shims(shims) {
        return html`
            <h3>Shims</h3>
            <table id="shims">
                <tr><th>shim</th><th>state</th><th>parent</th><th>address</th><th>routes</th><th>conflicts</th></tr>
                ${shims.map(shim => html`
                    <tr data-shim=${shim.name}>
                        <td>${shim.name}</td>
                        <td class="state">${shim.state}</td>
                        <td>${shim.parent} (${shim.parentState})</td>
                        <td>${shim.addresses.length ? shim.addresses.join(', ') : 'none (address-less)'}</td>
                        <td class="routes">${shim.routes}</td>
                        <td>${shim.conflicts}</td>
                    </tr>`)}
            </table>`;
    }

    _routes(routes) {
        if (!routes.length) {
            return html`<h3>Owned routes</h3><div class="empty" id="routes">no owned route</div>`;
        }
        return html`
            <h3>Owned routes</h3>
            <table id="routes">
                <tr><th>destination</th><th>shim</th><th>serves</th></tr>
                ${routes.map(route => html`
                    <tr data-destination=${route.destination}>
                        <td>${route.destination}</td>
                        <td>${route.shim}${route.linkdown ? ' (linkdown)' : ''}</td>
                        <td>${route.instances.length ? route.instances.map(served => this._served(served)).join(', ')
                                : 'nobody (left over, to be pruned)'}</td>
                    </tr>`)}
            </table>`;
    }

    _served(served) {
        if (served.instance) {
            return served.source + ' ' + (served.project ? served.project + '/' : '') + served.instance
                    + (served.nic ? ' ' + served.nic : '');
        }
        return served.source;
    }

    _conflicts(conflicts) {
        return html`
            <h3>Conflicts</h3>
            ${conflicts.length
                ? html`<ul id="conflicts">${conflicts.map(c => html`<li>${c.shim}: ${c.detail}</li>`)}</ul>`
                : html`<div class="empty" id="conflicts">none</div>`}`;
    }

    _sources(sources) {
        return html`
            <h3>Sources</h3>
            <table id="sources">
                <tr><th>source</th><th>state</th><th>endpoints</th></tr>
                ${sources.map(source => html`
                    <tr data-source=${source.name}>
                        <td>${source.name}</td>
                        <td class="state">${source.state}${source.error ? ': ' + source.error : ''}</td>
                        <td>${source.endpoints}</td>
                    </tr>`)}
            </table>`;
    }
}
customElements.define('qwc-macvlan-shim-shims', QwcMacvlanShimShims);
