package kvnull

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

func reply(w http.ResponseWriter, text string) {
	_ = json.NewEncoder(w).Encode(map[string]string{"content": text})
}

// A member with no points yet is told that they cannot be read: the parse
// failure answers, with a reply of the handler's own, what a miss is.
func rank(ns *kv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, _ := ns.GetString("points:"+r.PathValue("member"), nil) // want `this value is parsed with no check for it, so a missing key fails as a parse error`
		pts, err := strconv.Atoi(raw)
		if err != nil {
			reply(w, "Couldn't read your points right now.")
			return
		}
		reply(w, fmt.Sprintf("You have %d points.", pts))
	}
}

// Quiet: the parse failure reads as no points, and the handler goes on.
func rankOrZero(ns *kv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, _ := ns.GetString("points:"+r.PathValue("member"), nil)
		pts, err := strconv.Atoi(raw)
		if err != nil {
			pts = 0
		}
		reply(w, fmt.Sprintf("You have %d points.", pts))
	}
}
