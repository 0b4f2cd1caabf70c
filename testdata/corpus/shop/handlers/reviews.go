package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
)

type Review struct {
	ID     string `json:"id"`
	Author string `json:"author"`
	Stars  int    `json:"stars"`
	Body   string `json:"body"`
	At     int64  `json:"at"`
}

type ratingSummary struct {
	Count int `json:"count"`
	Total int `json:"total"`
}

type Reviews struct{}

func (Reviews) List(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	v, err := st.GetCached(config.ReviewsPrefix+r.PathValue("sku"), config.ReviewsCacheFor)
	if errors.Is(err, kvstore.ErrNotFound) {
		writeRaw(w, "[]")
		return
	}
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	writeRaw(w, v)
}

func (Reviews) Create(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	var rev Review
	if err := json.NewDecoder(r.Body).Decode(&rev); err != nil || rev.Stars < 1 || rev.Stars > 5 {
		http.Error(w, "invalid review", http.StatusBadRequest)
		return
	}
	rev.Body = strings.TrimSpace(rev.Body)
	rev.At = time.Now().Unix()
	rev.ID = newID()

	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}

	key := config.ReviewsPrefix + sku
	raw, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	var list []Review
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			fail(w, http.StatusInternalServerError, err)
			return
		}
	}
	list = append(list, rev)
	b, _ := json.Marshal(list)
	if err := ns.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		fail(w, http.StatusInternalServerError, err)
		return
	}

	rkey := config.RatingPrefix + sku
	var sum ratingSummary
	if v, err := ns.GetString(rkey, nil); err == nil && v != "<null>" {
		_ = json.Unmarshal([]byte(v), &sum)
	}
	sum.Count++
	sum.Total += rev.Stars
	enc, _ := json.Marshal(sum)
	if err := ns.PutString(rkey, string(enc), nil); err != nil { // EXPECT kvcounter|kvrace
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusCreated, rev)
}

// Remove deletes one review (moderation).
func (Reviews) Remove(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := config.ReviewsPrefix + r.PathValue("sku")
	var list []Review
	if err := st.GetJSON(key, &list); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		fail(w, http.StatusBadGateway, err)
		return
	}
	id := r.PathValue("id")
	list = slices.DeleteFunc(list, func(rv Review) bool { return rv.ID == id })
	if err := st.PutJSON(key, list, 0); err != nil { // EXPECT kvrace
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
