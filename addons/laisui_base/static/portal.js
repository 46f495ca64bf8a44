// This file is part of Laisui.  The COPYRIGHT file at the top level of
// this repository contains the full copyright notices and license terms.
//
// What the portal's pages do better with script; each of them works
// without it (the server refuses a code asked for too early and answers an
// expired session's form with the sign-in page).
(function () {
    'use strict';

    // 获取验证码 after a code was sent (data-wait: seconds of the
    // per-minute limit): disabled, counting down, then pressable again.
    function countDown(button) {
        var seconds = parseInt(button.getAttribute('data-wait'), 10);
        if (!(seconds > 0)) {
            return;
        }
        var label = button.textContent;
        var end = Date.now() + seconds * 1000;
        button.disabled = true;
        function tick() {
            var left = Math.ceil((end - Date.now()) / 1000);
            if (left <= 0) {
                button.disabled = false;
                button.textContent = label;
                return;
            }
            button.textContent = label + ' (' + left + ' s)';
            window.setTimeout(tick, 1000);
        }
        tick();
    }

    // The session ends after [session] web_timeout unused: a warning two
    // minutes before, whose 继续 uses it again (/session/keepalive). The
    // end is shared with the portal's other tabs, which may have used it.
    var WARN_BEFORE = 120;
    var END_KEY = 'laisui-session-end';

    function sharedEnd(end) {
        try {
            var other = Number(window.localStorage.getItem(END_KEY)) || 0;
            if (end > other) {
                window.localStorage.setItem(END_KEY, String(end));
                return end;
            }
            return other;
        } catch (e) {
            // No storage (private mode): this tab's own count.
            return end;
        }
    }

    function sessionWarning(body) {
        var seconds = parseInt(body.getAttribute('data-session-seconds'), 10);
        var keepAlive = body.getAttribute('data-keepalive');
        var main = document.querySelector('main');
        var banner = null;
        var timers = [];
        var end;

        function clear() {
            timers.forEach(function (timer) {
                window.clearTimeout(timer);
            });
            timers = [];
            if (banner) {
                banner.remove();
                banner = null;
            }
        }

        function show(text, button) {
            clear();
            banner = document.createElement('div');
            banner.className = 'alert info session-warning';
            banner.setAttribute('role', 'alert');
            var message = document.createElement('p');
            message.textContent = text;
            banner.appendChild(message);
            if (button) {
                banner.appendChild(button);
            }
            var close = document.createElement('button');
            close.type = 'button';
            close.className = 'link';
            close.textContent = '关闭';
            close.addEventListener('click', function () {
                banner.remove();
                banner = null;
            });
            banner.appendChild(close);
            main.insertBefore(banner, main.firstChild);
        }

        function schedule() {
            clear();
            end = sharedEnd(end);
            var left = (end - Date.now()) / 1000;
            timers.push(window.setTimeout(warn,
                Math.max(left - WARN_BEFORE, 0) * 1000));
            timers.push(window.setTimeout(expired, Math.max(left, 0) * 1000));
        }

        function later() {
            // Another tab used the session meanwhile: count again.
            if (sharedEnd(end) > end + 1000) {
                end = sharedEnd(end);
                schedule();
                return true;
            }
            return false;
        }

        function warn() {
            if (later()) {
                return;
            }
            var again = document.createElement('button');
            again.type = 'button';
            again.className = 'secondary';
            again.textContent = '继续';
            again.addEventListener('click', renew);
            show('您的登录即将过期，点击“继续”保持登录', again);
            // The expiry stays due while the warning shows.
            timers.push(window.setTimeout(expired,
                Math.max(end - Date.now(), 0)));
        }

        function expired() {
            if (later()) {
                return;
            }
            show('登录已过期，请重新登录后再次提交', null);
        }

        function renew() {
            window.fetch(keepAlive, {
                credentials: 'same-origin',
                cache: 'no-store',
                redirect: 'manual'
            }).then(function (response) {
                if (response.status !== 204) {
                    // Signed out meanwhile: the sign-in page answered.
                    expired();
                    return;
                }
                var left = parseInt(
                    response.headers.get('X-Session-Seconds'), 10);
                end = Date.now() + (left >= 0 ? left : seconds) * 1000;
                schedule();
            }, expired);
        }

        if (!(seconds >= 0) || !keepAlive || !main) {
            return;
        }
        end = Date.now() + seconds * 1000;
        schedule();
    }

    var buttons = document.querySelectorAll('button[data-wait]');
    Array.prototype.forEach.call(buttons, countDown);
    if (document.body.hasAttribute('data-session-seconds')) {
        sessionWarning(document.body);
    } else {
        try {
            // Signed out: no session of this browser to count.
            window.localStorage.removeItem(END_KEY);
        } catch (e) {
            // No storage.
        }
    }
}());
