// Hides a form field (templates/form_fields.html) while the earlier answer
// its condition names does not hold, and disables its inputs so that they
// are not sent. The server decides all the same (form_engine.py).
(function () {
  'use strict';
  function given(form, name) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.disabled) { return; }
      if ((input.type === 'radio' || input.type === 'checkbox') && !input.checked) {
        return;
      }
      if (input.value !== '') { values.push(input.value); }
    });
    return values;
  }
  function holds(field) {
    var form = field.closest('form');
    var operator = field.getAttribute('data-condition-operator');
    var text = field.getAttribute('data-condition-value') || '';
    var wanted = operator === 'in' ? text.split(/[,，、\n]/) : [text];
    wanted = wanted.map(function (v) { return v.trim(); }).filter(Boolean);
    var values = given(form, field.getAttribute('data-condition-field'));
    var any = values.some(function (v) { return wanted.indexOf(v) >= 0; });
    return operator === 'not_equals' ? !any : any;
  }
  function update() {
    var fields = document.querySelectorAll('[data-condition-field]');
    // In form order: a field hidden hides the fields that depend on it.
    Array.prototype.forEach.call(fields, function (field) {
      var shown = holds(field);
      field.hidden = !shown;
      var inputs = field.querySelectorAll('input, select, textarea');
      Array.prototype.forEach.call(inputs, function (input) {
        input.disabled = !shown;
      });
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    if (!document.querySelector('[data-condition-field]')) { return; }
    document.addEventListener('change', update);
    update();
  });
}());
