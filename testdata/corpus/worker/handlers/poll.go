package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// Vote records a vote and bumps the option's tally.
func Vote(w http.ResponseWriter, r *http.Request) {
	poll := r.PathValue("poll")
	option := r.FormValue("option")
	uid := r.Header.Get("X-User")
	ns, err := kv.NewNamespace("POLLS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// The ballot itself: one key per user, written once. Two requests of
	// one user can both find it free (or two locations, for 60 s), and
	// both votes are tallied.
	ballotKey := "ballot:" + poll + ":" + uid
	if prev, _ := ns.GetString(ballotKey, nil); prev != "<null>" {
		http.Error(w, "already voted", http.StatusConflict)
		return
	}
	if err := ns.PutString(ballotKey, option, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// The tally shown on the results page.
	tallyKey := fmt.Sprintf("tally:%s:%s", poll, option)
	cur, _ := ns.GetString(tallyKey, nil) // DEBATABLE kvnull
	n, _ := strconv.Atoi(cur)
	ns.PutString(tallyKey, fmt.Sprint(n+1), nil) // EXPECT kvcounter
	w.WriteHeader(http.StatusNoContent)
}

// ClosePoll freezes the poll; the admin sets the final numbers from D1.
func ClosePoll(w http.ResponseWriter, r *http.Request, finalCounts map[string]int) {
	poll := r.PathValue("poll")
	ns, _ := kv.NewNamespace("POLLS")
	for option, n := range finalCounts {
		_ = ns.PutString(fmt.Sprintf("final:%s:%s", poll, option), strconv.Itoa(n), nil)
	}
	_ = ns.PutString("closed:"+poll, "1", &kv.PutOptions{ExpirationTTL: 0})
}
