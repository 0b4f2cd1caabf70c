//go:build js && wasm

// Package door validates tickets at the venue doors. One goroutine owns the
// DOORS binding and serves scan requests from the handlers in turn.
package door

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Status is the outcome of a scan.
type Status string

// Scan outcomes shown on the door device.
const (
	Admit     Status = "admit"
	Invalid   Status = "invalid"
	Duplicate Status = "duplicate"
	Paused    Status = "paused"
	Failed    Status = "error"
)

// Result is the reply to a scan.
type Result struct {
	Status Status `json:"status"`
	Seat   string `json:"seat,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type ticket struct {
	Code    string `json:"code"`
	OrderID string `json:"order_id"`
	Seat    string `json:"seat"`
}

type scanCmd struct {
	code  string
	gate  string
	reply chan Result
}

type pauseCmd struct {
	gate  string
	by    string
	reply chan error
}

// Actor serialises door traffic for one isolate.
type Actor struct {
	ns    *kv.Namespace
	cmds  chan any
	stop  chan struct{}
	scans map[string]int
}

// Start launches the actor goroutine.
func Start(ns *kv.Namespace) *Actor {
	a := &Actor{ns: ns, cmds: make(chan any, 64), stop: make(chan struct{}), scans: map[string]int{}}
	go a.loop()
	return a
}

// Stop ends the actor goroutine.
func (a *Actor) Stop() { close(a.stop) }

func (a *Actor) loop() {
	for {
		select {
		case <-a.stop:
			return
		case c := <-a.cmds:
			switch cmd := c.(type) {
			case scanCmd:
				cmd.reply <- a.redeem(cmd.code, cmd.gate)
			case pauseCmd:
				cmd.reply <- a.pause(cmd.gate, cmd.by)
			}
		}
	}
}

// Scan asks the actor to redeem a code, giving up after timeout.
func (a *Actor) Scan(ctx context.Context, code, gate string, timeout time.Duration) Result {
	reply := make(chan Result, 1)
	select {
	case a.cmds <- scanCmd{code: code, gate: gate, reply: reply}:
	case <-ctx.Done():
		return Result{Status: Failed, Detail: "busy"}
	}
	select {
	case r := <-reply:
		return r
	case <-time.After(timeout):
		return Result{Status: Failed, Detail: "timeout"}
	case <-ctx.Done():
		return Result{Status: Failed, Detail: ctx.Err().Error()}
	}
}

// Pause stops a lane briefly while staff deal with a queue problem.
func (a *Actor) Pause(ctx context.Context, gate, by string) error {
	reply := make(chan error, 1)
	a.cmds <- pauseCmd{gate: gate, by: by, reply: reply}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *Actor) redeem(code, gate string) Result {
	if p, err := a.ns.GetString("pause:"+gate, nil); err == nil && p != "<null>" {
		return Result{Status: Paused, Detail: p}
	}
	raw, err := a.ns.GetString("qr:"+code, nil)
	if err != nil {
		return Result{Status: Failed, Detail: err.Error()}
	}
	if raw == "" { // EXPECT kvnull
		return Result{Status: Invalid}
	}
	var t ticket
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return Result{Status: Invalid, Detail: "unreadable ticket"}
	}

	prev, err := a.ns.GetString("scanned:"+code, nil)
	if err != nil {
		return Result{Status: Failed, Detail: err.Error()}
	}
	if prev != "<null>" {
		return Result{Status: Duplicate, Seat: t.Seat, Detail: prev}
	}
	stamp := gate + " " + time.Now().UTC().Format(time.Kitchen)
	if err := a.ns.PutString("scanned:"+code, stamp, &kv.PutOptions{ExpirationTTL: 2 * 86400}); err != nil { // EXPECT kvrace
		return Result{Status: Failed, Detail: err.Error()}
	}
	if err := a.ns.Delete("qr:" + code); err != nil { // EXPECT kvsession
		return Result{Status: Failed, Detail: err.Error()}
	}

	a.scans[gate]++
	if a.scans[gate]%25 == 0 {
		_ = a.ns.PutString("stats:scancount:"+gate, strconv.Itoa(a.scans[gate]), nil) // EXPECT kvcounter
	}
	return Result{Status: Admit, Seat: t.Seat}
}

const pauseFor = 30 * time.Second

func (a *Actor) pause(gate, by string) error {
	return a.ns.PutString("pause:"+gate, by, &kv.PutOptions{
		Expiration: int(time.Now().Add(pauseFor).Unix()), // EXPECT kvttl
	})
}
