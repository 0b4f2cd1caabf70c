package kvsession

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A remember-me token dropped on sign-out: it still signs the browser in
// at other locations until the delete reaches them.
func rememberKey(selector string) string { return "remember:" + selector }

func forgetBrowser(ns *kv.Namespace, cookie string) error { // want forgetBrowser:"kvsession"
	selector, _, _ := strings.Cut(cookie, ".")
	if selector == "" {
		return nil
	}
	return ns.Delete(rememberKey(selector)) // want `A remember-me token revoked or consumed by a KV delete`
}

// Quiet: a remembered page, which is no credential.
func forgetLastPage(ns *kv.Namespace, user string) error {
	return ns.Delete("lastpage:" + user)
}
