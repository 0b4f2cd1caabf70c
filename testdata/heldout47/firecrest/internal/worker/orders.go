//go:build js && wasm

package worker

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
)

// handleOrderStatus is polled by the customer app every few seconds.
func handleOrderStatus(w http.ResponseWriter, r *http.Request) {
	dispatch, _, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	id := r.URL.Query().Get("order")
	raw, err := dispatch.NS.GetString(kvkeys.OrderStatusPrefix+id, &kv.GetOptions{CacheTTL: kvkeys.EdgeCacheTTL})
	if err != nil {
		fail(w, err)
		return
	}
	if raw == "<null>" {
		writeJSON(w, http.StatusOK, courier.OrderStatus{OrderID: id, State: "placed"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}

type statusUpdate struct {
	OrderID string            `json:"order_id"`
	State   string            `json:"state"`
	Flags   courier.OrderFlag `json:"flags"`
	Lat     float64           `json:"lat"`
	Lng     float64           `json:"lng"`
	ETA     time.Time         `json:"eta"`
}

// handleOrderUpdate takes a status report from the courier app.
func handleOrderUpdate(w http.ResponseWriter, r *http.Request) {
	dispatch, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	login, err := authenticate(auth, r)
	if err != nil {
		fail(w, err)
		return
	}
	var up statusUpdate
	if err := json.NewDecoder(r.Body).Decode(&up); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()

	key := kvkeys.OrderStatusPrefix + up.OrderID
	var st courier.OrderStatus
	err = dispatch.GetJSON(key, &st)
	var nf *courier.NotFoundError
	switch {
	case errors.As(err, &nf):
		st = courier.OrderStatus{OrderID: up.OrderID, CourierID: login.CourierID}
	case err != nil:
		fail(w, err)
		return
	}
	if st.CourierID != "" && st.CourierID != login.CourierID {
		http.Error(w, "not your order", http.StatusForbidden)
		return
	}
	st.State = up.State
	st.Flags |= up.Flags
	st.Lat, st.Lng, st.ETA, st.UpdatedAt = up.Lat, up.Lng, up.ETA, now
	b, err := json.Marshal(st)
	if err != nil {
		fail(w, err)
		return
	}
	opts := &kv.PutOptions{ExpirationTTL: kvkeys.OrderStatusTTL}
	if err := dispatch.NS.PutString(key, string(b), opts); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}

	// Location trail, one JSON object per line.
	key = kvkeys.OrderTrailPrefix + up.OrderID
	pt, _ := json.Marshal(courier.TrailPoint{At: now, Lat: up.Lat, Lng: up.Lng})
	if err := dispatch.AppendLine(key, string(pt), kvkeys.TrailLinger); err != nil {
		fail(w, err)
		return
	}

	// The dispatcher board shows the latest movement across the city.
	board := courier.RenderBoard([]courier.OrderStatus{st})
	if err := dispatch.NS.PutString(kvkeys.DispatchBoardKey, string(board), nil); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}

	// Delivered orders keep their final status a little past delivery.
	if st.Flags&courier.FlagDelivered != 0 {
		key = kvkeys.OrderStatusPrefix + "final:" + up.OrderID
		if err := dispatch.PutJSON(key, st, kvkeys.StatusLinger); err != nil {
			fail(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleOrderTrail streams an order's trail back as a JSON array.
func handleOrderTrail(w http.ResponseWriter, r *http.Request) {
	dispatch, _, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	id := r.URL.Query().Get("order")
	if _, err := dispatch.GetText(kvkeys.OrderStatusPrefix+id, 0); err != nil {
		fail(w, err)
		return
	}
	rd, err := dispatch.NS.GetReader(kvkeys.OrderTrailPrefix+id, nil)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	sc := bufio.NewScanner(rd)
	enc := json.NewEncoder(w)
	fmt.Fprint(w, "[")
	n := 0
	for sc.Scan() {
		var pt courier.TrailPoint
		if json.Unmarshal(sc.Bytes(), &pt) != nil {
			continue
		}
		if n > 0 {
			fmt.Fprint(w, ",")
		}
		_ = enc.Encode(pt)
		n++
	}
	fmt.Fprint(w, "]")
}

// handleBoard serves the dispatcher board. The board changes every few
// seconds, so it is cached at the edge only briefly.
func handleBoard(w http.ResponseWriter, r *http.Request) {
	dispatch, _, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	opts := &kv.GetOptions{}
	opts.CacheTTL = kvkeys.BoardCacheTTL // EXPECT kvttl
	raw, err := dispatch.NS.GetString(kvkeys.DispatchBoardKey, opts)
	if err != nil {
		fail(w, err)
		return
	}
	if raw == "<null>" {
		raw = ""
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(raw))
}
