package handlers

import (
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// SubmitScore keeps the best score per game.
func SubmitScore(w http.ResponseWriter, r *http.Request) {
	game := r.PathValue("game")
	score, err := strconv.Atoi(r.FormValue("score"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ns, _ := kv.NewNamespace("GAMES")
	best, _ := ns.GetString("best:"+game, nil)
	cur, _ := strconv.Atoi(best)
	if score > cur {
		_ = ns.PutString("best:"+game, strconv.Itoa(score), nil) // DEBATABLE kvrace
	}
}
