//go:build js && wasm

package catalog

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
	"hawfinch/internal/kind"
)

// Summary is the rating breakdown shown on a tutor's profile.
type Summary struct {
	Count     int     `json:"count"`
	Sum       int     `json:"sum"`
	Histogram [6]int  `json:"histogram"`
	Average   float64 `json:"average"`
}

func reviewScope(root edgekv.Scope, tutorID string) edgekv.Scope {
	return root.Scope("tutor", tutorID).Kind(kind.ReviewSummary)
}

// bumpSummary folds one new rating into the tutor's summary.
func bumpSummary(reviews edgekv.Scope, stars int) error {
	var sum Summary
	raw, ok, err := reviews.Lookup("summary", 0)
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &sum); err != nil {
			return err
		}
	}
	stars = min(max(stars, 1), 5)
	sum.Count++
	sum.Sum += stars
	sum.Histogram[stars]++
	sum.Average = float64(sum.Sum) / float64(sum.Count)
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return reviews.Put("summary", string(b), 0) // EXPECT kvrace
}

type reviewsPage struct {
	Summary Summary  `json:"summary"`
	IDs     []string `json:"review_ids"`
	Cursor  string   `json:"cursor,omitempty"`
}

// reviews returns a tutor's rating summary and one page of review IDs, newest
// first; the client loads the bodies from the API.
func (s *Service) reviews(w http.ResponseWriter, r *http.Request) {
	reviews := reviewScope(s.root, r.PathValue("id"))
	var page reviewsPage
	raw, err := reviews.Raw("summary") // EXPECT kvnull
	if err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	if err := json.Unmarshal([]byte(raw), &page.Summary); err != nil {
		web.Error(w, http.StatusInternalServerError, "bad summary")
		return
	}
	items := reviews.Scope("items")
	res, err := items.Namespace().List(&kv.ListOptions{
		Prefix: items.Prefix(),
		Limit:  kind.ReviewSummary.Limit(), // EXPECT kvlimits
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	for _, k := range res.Keys {
		page.IDs = append(page.IDs, strings.TrimPrefix(k.Name, items.Prefix()))
	}
	if !res.ListComplete {
		page.Cursor = res.Cursor
	}
	web.JSON(w, http.StatusOK, page)
}
