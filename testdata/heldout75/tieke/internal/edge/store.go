//go:build js && wasm

// Package edge is the Cloudflare Worker in front of the tournament: room
// lookups, answer intake, spectating, sessions, and the nightly digest cron.
package edge

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// kvNull is what GetString returns for a key that does not exist.
const kvNull = "<null>"

const (
	sessionTTL      = 24 * 60 * 60
	spectatorWindow = 2 * time.Minute
	answerBurst     = 10
	dailyQuota      = 500
	digestKeep      = 7 * 24 * time.Hour
)

// binding opens the namespace bound as TIEKE. It must be called while a
// request or scheduled event is being handled.
func binding() (*cloudflare.KVNamespace, error) {
	return cloudflare.NewKVNamespace("TIEKE")
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func sessionID(r *http.Request) string {
	if c, err := r.Cookie("tieke_sid"); err == nil {
		return c.Value
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func endOfDayUTC(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

func fail(w http.ResponseWriter, code int, msg string) {
	http.Error(w, msg, code)
}
