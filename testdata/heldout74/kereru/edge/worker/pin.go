//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const maxPINAttempts = 5

// pinCheck is one delivery-PIN check at the door, run as a chain of state
// functions: load the PIN, compare it, then either count a failed attempt
// or consume the PIN.
type pinCheck struct {
	ns      *kv.Namespace
	orderID string
	entered string
	stored  string
	status  int
	body    string
}

type stateFn func(*pinCheck) stateFn

func handlePIN(w http.ResponseWriter, r *http.Request) {
	ns := namespace(w, ordersBinding)
	if ns == nil {
		return
	}
	var req struct {
		PIN string `json:"pin"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c := &pinCheck{ns: ns, orderID: r.PathValue("id"), entered: req.PIN}
	for st := stateFn(loadPIN); st != nil; {
		st = st(c)
	}
	w.WriteHeader(c.status)
	_, _ = w.Write([]byte(c.body))
}

func (c *pinCheck) fail(status int, body string) stateFn {
	c.status, c.body = status, body
	return nil
}

func loadPIN(c *pinCheck) stateFn {
	if locked, err := c.ns.GetString("pin:"+c.orderID+":locked", nil); err == nil && locked != kvNull {
		return c.fail(http.StatusLocked, "too many attempts")
	}
	stored, err := c.ns.GetString("pin:"+c.orderID, nil)
	if err != nil {
		return c.fail(http.StatusBadGateway, err.Error())
	}
	if stored == "" { // EXPECT kvnull
		return c.fail(http.StatusNotFound, "no delivery in progress")
	}
	c.stored = stored
	return comparePIN
}

func comparePIN(c *pinCheck) stateFn {
	if c.entered != c.stored {
		return countAttempt
	}
	return consumePIN
}

func countAttempt(c *pinCheck) stateFn {
	key := "pin_attempts:" + c.orderID
	raw, err := c.ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return c.fail(http.StatusBadGateway, err.Error())
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return c.fail(http.StatusInternalServerError, "attempt counter unreadable")
	}
	n++
	if n >= maxPINAttempts {
		_ = c.ns.PutString("pin:"+c.orderID+":locked", "1", &kv.PutOptions{ExpirationTTL: 900})
	}
	_ = c.ns.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace
	return c.fail(http.StatusForbidden, "wrong PIN")
}

func consumePIN(c *pinCheck) stateFn {
	if err := c.ns.Delete("pin:" + c.orderID); err != nil { // EXPECT kvsession
		return c.fail(http.StatusBadGateway, err.Error())
	}
	_ = c.ns.PutString("pin:"+c.orderID+":verified", "1", &kv.PutOptions{
		Expiration: int(time.Now().Add(2 * time.Hour).Unix()),
	})
	return c.fail(http.StatusOK, "delivered")
}
