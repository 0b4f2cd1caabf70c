package kvlist

import (
	"context"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvlist/pages"
)

// A range over a listing iterator that only a failure ends walks the
// whole namespace.
func exportAll(ns *kv.Namespace) (string, error) { // want exportAll:"kvlist"
	var sb strings.Builder
	for key, err := range pages.Keys(ns, "acct:") { // want `unbounded listing`
		if err != nil {
			return "", err
		}
		sb.WriteString(key + "\n")
	}
	return sb.String(), nil
}

// Quiet: the range stops after n keys.
func firstN(ns *kv.Namespace, n int) ([]string, error) {
	var out []string
	for key, err := range pages.Keys(ns, "acct:") {
		if err != nil {
			return out, err
		}
		out = append(out, key)
		if len(out) >= n {
			break
		}
	}
	return out, nil
}

// A get per key the iterator hands out, in a range that is bounded.
func statement(ns *kv.Namespace, limit int) ([]string, error) { // want statement:"kvlist"
	var out []string
	for key, err := range pages.Keys(ns, "txn:") {
		if err != nil {
			return out, err
		}
		v, err := ns.GetString(key, nil) // want `one get per listed key \(N\+1\)`
		if err != nil {
			return out, err
		}
		out = append(out, v)
		if len(out) == limit {
			return out, nil
		}
	}
	return out, nil
}

// A callback that never says stop walks the whole namespace.
func countAll(ns *kv.Namespace) (int, error) { // want countAll:"kvlist"
	n := 0
	err := pages.Walk(ns, "acct:", func(string) bool { // want `unbounded listing`
		n++
		return true
	})
	return n, err
}

// Quiet: the callback stops at the first match.
func find(ns *kv.Namespace, suffix string) (string, error) {
	found := ""
	err := pages.Walk(ns, "acct:", func(key string) bool {
		if strings.HasSuffix(key, suffix) {
			found = key
			return false
		}
		return true
	})
	return found, err
}

// A get per key in a budgeted scanner's callback is still one get per key.
func balances(ns *kv.Namespace) ([]string, error) { // want balances:"kvlist"
	var out []string
	err := pages.Scan(ns, "acct:").Pages(3).Each(func(key string) error {
		v, err := ns.GetString(key, nil) // want `one get per listed key \(N\+1\)`
		out = append(out, v)
		return err
	})
	return out, err
}

// Quiet: the budget bounds the walk, and the callback reads nothing.
func accountNames(ns *kv.Namespace) ([]string, error) {
	var out []string
	err := pages.Scan(ns, "acct:").Pages(3).Each(func(key string) error {
		out = append(out, key)
		return nil
	})
	return out, err
}

// Noticing a cancellation between pages is no budget: a request's context
// is not cancelled because the namespace is large.
func purgeTenant(ctx context.Context, ns *kv.Namespace, tenant string) error { // want purgeTenant:"kvlist"
	for key, err := range pages.KeysContext(ctx, ns, tenant+"/") { // want `unbounded listing`
		if err != nil {
			return err
		}
		if err := ns.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// Quiet: a deadline set here ends the walk.
func purgeTenantFor(ctx context.Context, ns *kv.Namespace, tenant string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cursor := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := ns.List(&kv.ListOptions{Prefix: tenant + "/", Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := ns.Delete(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}

// Quiet: the first key answers the question.
func anyUnder(ctx context.Context, ns *kv.Namespace, prefix string) (bool, error) {
	for _, err := range pages.KeysContext(ctx, ns, prefix) {
		if err != nil {
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// A get per key that an adapter of the iterator hands on.
func sample(ctx context.Context, ns *kv.Namespace, n int) ([]string, error) { // want sample:"kvlist"
	var out []string
	for key, err := range pages.Take(pages.KeysContext(ctx, ns, "evt:"), n) {
		if err != nil {
			return out, err
		}
		v, err := ns.GetString(key, nil) // want `one get per listed key \(N\+1\)`
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// A helper that hands on another iterator is one too.
func tenantExport(ns *kv.Namespace, tenant string) (int, error) { // want tenantExport:"kvlist"
	n := 0
	for _, err := range pages.TenantKeys(ns, tenant) { // want `unbounded listing`
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Quiet: the failure and the budget leave by one break, which the budget
// alone can take.
func firstNOrFailure(ns *kv.Namespace, n int) []string {
	var out []string
	for key, err := range pages.Keys(ns, "acct:") {
		if err != nil || len(out) >= n {
			break
		}
		out = append(out, key)
	}
	return out
}

// A combinator over the listing iterator walks it all, and the body reads
// each key it hands on.
func drafts(ns *kv.Namespace) ([]string, error) { // want drafts:"kvlist"
	isDraft := func(k string) bool { return strings.HasSuffix(k, ":draft") }
	var out []string
	for key, err := range pages.Filter(pages.Keys(ns, "post:"), isDraft) { // want `unbounded listing`
		if err != nil {
			return nil, err
		}
		v, err := ns.GetString(key, nil) // want `one get per listed key \(N\+1\)`
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
