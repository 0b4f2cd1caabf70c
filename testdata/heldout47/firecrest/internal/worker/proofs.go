//go:build js && wasm

package worker

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
)

// handleProofUpload stores the metadata of a delivery proof. The photo
// itself went to R2 from the app; we get its URL and hash.
func handleProofUpload(w http.ResponseWriter, r *http.Request) {
	dispatch, auth, proofs, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	login, err := authenticate(auth, r)
	if err != nil {
		fail(w, err)
		return
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	var p courier.Proof
	if err := dec.Decode(&p); err != nil {
		http.Error(w, "bad proof", http.StatusBadRequest)
		return
	}
	p.CourierID = login.CourierID
	if p.TakenAt.IsZero() {
		p.TakenAt = time.Now().UTC()
	}

	var st courier.OrderStatus
	if err := dispatch.GetJSON(kvkeys.OrderStatusPrefix+p.OrderID, &st); err != nil {
		fail(w, err)
		return
	}
	key := courier.ProofKey(kvkeys.ProofPrefix, zoneOf(st), p.TakenAt, p.OrderID, p.Kind)

	pr, pw := io.Pipe()
	go func() {
		enc := json.NewEncoder(pw)
		pw.CloseWithError(enc.Encode(p))
	}()
	opts := &kv.PutOptions{Expiration: int(p.TakenAt.Add(90 * 24 * time.Hour).Unix())}
	if err := proofs.NS.PutReader(key, pr, opts); err != nil {
		fail(w, err)
		return
	}

	// Orders with a proof pending get a short reminder for the app.
	if st.Flags&courier.FlagProofNeeded != 0 {
		rk := kvkeys.ProofPrefix + "pending:" + p.OrderID
		ro := &kv.PutOptions{}
		ro.Expiration = int(time.Now().Add(30 * time.Second).Unix()) // EXPECT kvttl
		if err := proofs.NS.PutString(rk, p.Kind, ro); err != nil {
			fail(w, err)
			return
		}
	}

	// Per-order index of proof keys, read by the support tool.
	ik := kvkeys.ProofIndexPrefix + p.OrderID
	raw, err := proofs.NS.GetString(ik, nil)
	if err != nil {
		fail(w, err)
		return
	}
	var idx []string
	if raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &idx)
	}
	idx = append(idx, key)
	b, _ := json.Marshal(idx)
	if err := proofs.NS.PutString(ik, string(b), &kv.PutOptions{ExpirationTTL: kvkeys.ProofTTL}); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"key": key})
}

func zoneOf(st courier.OrderStatus) string {
	if i := strings.IndexByte(st.OrderID, '-'); i > 0 {
		return st.OrderID[:i]
	}
	return "default"
}

// handleProofList returns one page of a zone-day's proofs and the cursor.
func handleProofList(w http.ResponseWriter, r *http.Request) {
	_, _, proofs, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	res, err := proofs.NS.List(&kv.ListOptions{
		Prefix: kvkeys.ProofPrefix + q.Get("zone") + "/" + q.Get("day") + "/",
		Cursor: q.Get("cursor"),
		Limit:  limit,
	})
	if err != nil {
		fail(w, err)
		return
	}
	out := struct {
		Keys   []string `json:"keys"`
		Cursor string   `json:"cursor,omitempty"`
	}{}
	for _, k := range res.Keys {
		out.Keys = append(out.Keys, k.Name)
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, out)
}

// handleOrderProofs returns every proof stored for one order, for support.
func handleOrderProofs(w http.ResponseWriter, r *http.Request) {
	_, _, proofs, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	q := r.URL.Query()
	prefix := kvkeys.ProofPrefix + q.Get("zone") + "/" + q.Get("day") + "/" + q.Get("order") + "/"
	res, err := proofs.NS.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: prefix,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		fail(w, err)
		return
	}
	all := make([]courier.Proof, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := proofs.NS.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil {
			fail(w, err)
			return
		}
		if raw == "<null>" {
			continue
		}
		var p courier.Proof
		if json.Unmarshal([]byte(raw), &p) == nil {
			all = append(all, p)
		}
	}
	writeJSON(w, http.StatusOK, all)
}
