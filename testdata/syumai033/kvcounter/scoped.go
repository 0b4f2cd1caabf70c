package kvcounter

import (
	"strconv"

	"kvlint.test/syumai033/scoped"
)

// A count read and written through one scoped copy of a store.
func bumpInvoices(st scoped.Store, tenant string) error {
	s := st.Scope("tenant:" + tenant)
	raw, err := s.Get("invoices")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(raw)
	return s.Put("invoices", strconv.Itoa(n+1)) // want `counter kept in KV: this put writes back a count read`
}

// The same, read through an option.
func bumpStatements(st scoped.Store, tenant string) error {
	s := st.Scope("tenant:" + tenant)
	n := 0
	if opt, err := s.Lookup("statements"); err != nil {
		return err
	} else if raw, ok := opt.Get(); ok {
		n, _ = strconv.Atoi(raw)
	}
	return s.Put("statements", strconv.Itoa(n+1)) // want `counter kept in KV: this put writes back a count read`
}

// Quiet: the count is copied to another tenant's scope.
func copyInvoices(st scoped.Store, from, to string) error {
	raw, err := st.Scope("tenant:" + from).Get("invoices")
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(raw)
	return st.Scope("tenant:"+to).Put("invoices", strconv.Itoa(n+1))
}
