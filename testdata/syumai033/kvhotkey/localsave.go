package kvhotkey

import (
	"errors"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A closure of the function's own writes what each call tells it; the
// call in the loop that gives it the same key on every run is the hot
// write.
func republish(ns *kv.Namespace, week string, kitchens map[string][]string) error { // want republish:"kvhotkey"
	save := func(k, v string) error {
		return ns.PutString(k, v, nil)
	}
	var errs []error
	for region, slugs := range kitchens {
		if err := save("menu:"+week+":"+region, strings.Join(slugs, "\n")); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, save("menu:current", week)) // want `this loop writes the same KV key on every iteration`
	}
	return errors.Join(errs...)
}

// Quiet: each call in the loop names its own key, and the constant one
// is written once, after it.
func republishOnce(ns *kv.Namespace, week string, kitchens map[string][]string) error {
	save := func(k, v string) error {
		return ns.PutString(k, v, nil)
	}
	for region, slugs := range kitchens {
		if err := save("menu:"+week+":"+region, strings.Join(slugs, "\n")); err != nil {
			return err
		}
	}
	return save("menu:current", week)
}
