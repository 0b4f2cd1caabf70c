// Command dispatchd serves the order API and runs the dispatch actors.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/kereru-dispatch/kereru/internal/courier"
	"github.com/kereru-dispatch/kereru/internal/dispatch"
	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/msgs"
	"github.com/kereru-dispatch/kereru/internal/order"
	"github.com/kereru-dispatch/kereru/internal/throttle"
	"github.com/kereru-dispatch/kereru/internal/zone"
)

type config struct {
	SessionTTL time.Duration
	PINTTL     time.Duration
	SurgeEvery time.Duration
}

func loadConfig() config {
	c := config{SessionTTL: 12 * time.Hour, PINTTL: 15 * time.Minute, SurgeEvery: 30 * time.Second}
	if v, err := time.ParseDuration(os.Getenv("SESSION_TTL")); err == nil {
		c.SessionTTL = v
	}
	if v, err := time.ParseDuration(os.Getenv("PIN_TTL")); err == nil {
		c.PINTTL = v
	}
	return c
}

type server struct {
	cfg      config
	kv       *kvstore.Client
	root     *actor.RootContext
	orders   *actor.PID
	couriers *actor.PID
	zones    map[string]*actor.PID
	dispatch map[string]*actor.PID
	throttle *throttle.Throttle
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	kv, err := kvstore.FromEnv()
	if err != nil {
		slog.Error("kv", "err", err)
		os.Exit(1)
	}
	cfg := loadConfig()
	system := actor.NewActorSystem()
	couriers, err := system.Root.SpawnNamed(courier.SupervisorProps(kv), "couriers")
	if err != nil {
		slog.Error("spawn couriers", "err", err)
		os.Exit(1)
	}
	orders, _ := system.Root.SpawnNamed(order.SupervisorProps(kv, couriers), "orders")
	s := &server{
		cfg: cfg, kv: kv, root: system.Root, orders: orders, couriers: couriers,
		zones: map[string]*actor.PID{}, dispatch: map[string]*actor.PID{},
		throttle: &throttle.Throttle{KV: kv},
	}
	for _, z := range []string{"cbd", "ponsonby", "newmarket", "mt-eden"} {
		s.zones[z] = system.Root.Spawn(zone.Props(kv, z, cfg.SurgeEvery))
		s.dispatch[z] = system.Root.Spawn(dispatch.Props(kv, z, orders, couriers))
	}
	go s.scheduledShifts(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.placeOrder)
	mux.HandleFunc("GET /orders/{id}", s.getOrder)
	mux.HandleFunc("POST /orders/{id}/{event}", s.orderEvent)
	mux.HandleFunc("POST /couriers/{id}/shift", s.startShift)
	mux.HandleFunc("POST /couriers/{id}/handover", s.handover)
	mux.HandleFunc("POST /couriers/{id}/logout", s.logout)
	mux.HandleFunc("POST /couriers/{id}/password", s.passwordChanged)
	mux.HandleFunc("POST /couriers/{id}/pings", s.pings)
	mux.HandleFunc("POST /zones/{id}/surge", s.setSurge)

	srv := &http.Server{Addr: ":8080", Handler: mux}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		system.Shutdown()
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) placeOrder(w http.ResponseWriter, r *http.Request) {
	var req msgs.PlaceOrder
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.OrderID = rand.Text()
	req.PlacedAt = time.Now().UTC()
	limit, err := s.throttle.Cap(r.Context(), req.RestaurantID, func(context.Context, string) (int, error) { return 0, nil })
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if err := s.throttle.Admit(r.Context(), req.RestaurantID, limit); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	res, err := s.root.RequestFuture(s.orders, &req, 5*time.Second).Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
		return
	}
	_ = s.kv.Put(r.Context(), kvstore.Orders, "dispatch:last_order_at", []byte(req.PlacedAt.Format(time.RFC3339))) // EXPECT kvhotkey
	if pid, ok := s.zones[req.ZoneID]; ok {
		s.root.Send(pid, &zone.QuoteViewed{ZoneID: req.ZoneID})
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *server) getOrder(w http.ResponseWriter, r *http.Request) {
	res, err := s.root.RequestFuture(s.orders, &msgs.GetOrder{OrderID: r.PathValue("id")}, 3*time.Second).Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func newPIN() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(10000))
	return fmt.Sprintf("%04d", n.Int64())
}

func (s *server) orderEvent(w http.ResponseWriter, r *http.Request) {
	ev := &msgs.OrderEvent{OrderID: r.PathValue("id"), Event: r.PathValue("event")}
	switch ev.Event {
	case "pick_up":
		ev.PIN, ev.PINTTL = newPIN(), s.cfg.PINTTL
	case "assign":
		zoneID := r.URL.Query().Get("zone")
		pid, ok := s.dispatch[zoneID]
		if !ok {
			http.Error(w, "unknown zone", http.StatusBadRequest)
			return
		}
		res, err := s.root.RequestFuture(pid, &msgs.AssignRequest{OrderID: ev.OrderID, ZoneID: zoneID, Candidates: r.URL.Query()["courier"]}, 10*time.Second).Result()
		if err != nil {
			http.Error(w, err.Error(), http.StatusGatewayTimeout)
			return
		}
		writeJSON(w, http.StatusOK, res)
		return
	case "cancel":
		ev.Reason = r.URL.Query().Get("reason")
	}
	res, err := s.root.RequestFuture(s.orders, ev, 5*time.Second).Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *server) startShift(w http.ResponseWriter, r *http.Request) {
	hours, _ := strconv.Atoi(r.URL.Query().Get("hours"))
	msg := &msgs.StartShift{
		CourierID:  r.PathValue("id"),
		ZoneID:     r.URL.Query().Get("zone"),
		SessionTTL: s.cfg.SessionTTL,
		ShiftEnds:  time.Now().Add(time.Duration(max(hours, 1)) * time.Hour),
	}
	s.requestShift(w, msg)
}

// handover opens a short session on a second device while the courier moves
// the app from one phone to another.
func (s *server) handover(w http.ResponseWriter, r *http.Request) {
	msg := &msgs.StartShift{
		CourierID:  r.PathValue("id"),
		ZoneID:     r.URL.Query().Get("zone"),
		SessionTTL: 45 * time.Second, // EXPECT kvttl
		ShiftEnds:  time.Now().Add(time.Hour),
	}
	s.requestShift(w, msg)
}

func (s *server) requestShift(w http.ResponseWriter, msg *msgs.StartShift) {
	res, err := s.root.RequestFuture(s.couriers, msg, 5*time.Second).Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
		return
	}
	started, _ := res.(*msgs.ShiftStarted)
	if started == nil || started.Err != nil {
		http.Error(w, "shift not started", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"session_id": started.SessionID})
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	_, err := s.root.RequestFuture(s.couriers, &msgs.EndShift{CourierID: r.PathValue("id"), SessionID: r.Header.Get("X-Session")}, 5*time.Second).Result()
	if err != nil {
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
		return
	}
	if exp, err := strconv.ParseInt(r.Header.Get("X-Access-Exp"), 10, 64); err == nil {
		_ = courier.RevokeAccessToken(r.Context(), s.kv, r.Header.Get("X-Access-JTI"), time.Unix(exp, 0))
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) passwordChanged(w http.ResponseWriter, r *http.Request) {
	if err := courier.RevokeAll(r.Context(), s.kv, r.PathValue("id")); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) pings(w http.ResponseWriter, r *http.Request) {
	var batch msgs.PingBatch
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	batch.CourierID = r.PathValue("id")
	s.root.Send(s.couriers, &batch)
	w.WriteHeader(http.StatusAccepted)
}

func (s *server) setSurge(w http.ResponseWriter, r *http.Request) {
	pid, ok := s.zones[r.PathValue("id")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	m, err := strconv.ParseFloat(r.URL.Query().Get("m"), 64)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	mins, _ := strconv.Atoi(r.URL.Query().Get("minutes"))
	msg := &msgs.SetSurge{ZoneID: r.PathValue("id"), Multiplier: m, Until: time.Now().Add(time.Duration(mins) * time.Minute)}
	if _, err := s.root.RequestFuture(pid, msg, 5*time.Second).Result(); err != nil {
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// scheduledShift is a shift booked ahead in the roster.
type scheduledShift struct {
	CourierID string    `json:"courier_id"`
	ZoneID    string    `json:"zone_id"`
	Starts    time.Time `json:"starts"`
	Ends      time.Time `json:"ends"`
}

// scheduledShifts opens sessions for rostered shifts as they begin. The
// roster is published once a day to KV by the rostering tool.
func (s *server) scheduledShifts(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	started := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			raw, err := s.kv.Get(ctx, kvstore.Couriers, "roster:"+now.UTC().Format("20060102"))
			if err != nil {
				continue
			}
			var roster []scheduledShift
			if json.Unmarshal(raw, &roster) != nil {
				continue
			}
			for _, sh := range roster {
				id := sh.CourierID + sh.Starts.String()
				if started[id] || now.Before(sh.Starts) || now.After(sh.Ends) {
					continue
				}
				started[id] = true
				s.root.Send(s.couriers, &msgs.StartShift{
					CourierID:  sh.CourierID,
					ZoneID:     sh.ZoneID,
					SessionTTL: time.Until(sh.Ends), // EXPECT kvttl
					ShiftEnds:  sh.Ends,
				})
			}
		}
	}
}
