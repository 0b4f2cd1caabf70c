package kvcounter

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type verdict struct {
	OK             bool `json:"ok"`
	FailedAttempts int  `json:"failed_attempts"`
}

// A count an upstream sent back, plus one, under a key that names a
// count: every isolate writes its own idea of it.
func signIn(ns *kv.Namespace, origin, email string) error {
	var v verdict
	err := func() error {
		res, err := http.Post(origin+"/verify", "application/json", strings.NewReader(email))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		return json.NewDecoder(res.Body).Decode(&v)
	}()
	if err != nil || v.OK {
		return err
	}
	attempts := v.FailedAttempts + 1
	return ns.PutString("login-attempts:"+email, strconv.Itoa(attempts), &kv.PutOptions{ExpirationTTL: int(time.Hour.Seconds())}) // want `counter kept in KV: the key names a count and the value is computed by arithmetic`
}

// Quiet: a count the upstream keeps, copied as it is.
func mirrorAttempts(ns *kv.Namespace, origin, email string) error {
	res, err := http.Get(origin + "/attempts?email=" + email)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var v verdict
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		return err
	}
	return ns.PutString("login-attempts:"+email, strconv.Itoa(v.FailedAttempts), nil)
}
