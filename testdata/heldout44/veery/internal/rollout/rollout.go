// Package rollout plans and serves firmware rollouts. A rollout moves a fleet
// to a firmware version in waves, each wave covering a larger share of it.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"veery/internal/httpx"
	"veery/internal/kvstore"
	"veery/internal/registry"
)

const (
	slotSize = 32 << 20

	installNotice = "Devices install the new image into the inactive slot and switch over on the next " +
		"scheduled maintenance reboot. Do not power-cycle a device while its status LED blinks amber: " +
		"the bootloader is verifying the image signature and an interrupted verification leaves the " +
		"device on the previous firmware until the next check-in, which can be up to six hours later " +
		"for battery-powered models in deep-sleep mode. Units installed outdoors in temperatures below " +
		"minus ten degrees Celsius postpone flash writes until the enclosure warms up; they report the " +
		"state 'deferred-cold' and are counted as pending rather than failed. If a unit reports " +
		"'rollback' after switching slots, it has failed its post-boot health check (modem attach, " +
		"sensor bus scan and clock sync within 180 seconds) and returned to the previous image " +
		"automatically; open a ticket with the device ID and the diagnostics bundle rather than " +
		"retrying the rollout on that unit, because a second failure within 24 hours locks the slot " +
		"until field service clears it. Gateways forward images to their downstream sensors after " +
		"their own upgrade completes, so sensor waves lag gateway waves by up to two hours."
)

// Wave is one stage of a rollout.
type Wave struct {
	Percent  int       `json:"percent"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// Rollout is the plan stored under roplan:<id>.
type Rollout struct {
	ID        string    `json:"id"`
	Fleet     string    `json:"fleet"`
	Model     string    `json:"model"`
	Version   string    `json:"version"`
	Waves     []Wave    `json:"waves"`
	Current   int       `json:"current"`
	Paused    bool      `json:"paused"`
	CreatedAt time.Time `json:"created_at"`
}

// ErrLocked is returned when the fleet already has a rollout in progress.
var ErrLocked = errors.New("rollout: fleet has a rollout in progress")

// Service owns the rollouts namespace.
type Service struct {
	KV       kvstore.V3
	Registry *registry.Client
	NS       string
}

func planKey(id string) string         { return "roplan:" + id }
func lockKey(fleet string) string      { return "ro-lock:" + fleet }
func deviceKey(id, dev string) string  { return fmt.Sprintf("rodev:%s:%s", id, dev) }
func hitsKey(model, ver string) string { return fmt.Sprintf("fw-hits:%s:%s", model, ver) }
func manifestKey(model, ver string) string {
	return fmt.Sprintf("fw:%s:%s:manifest", model, ver)
}

// Create starts a rollout for a fleet unless one is running.
func (s Service) Create(ctx context.Context, ro Rollout) (Rollout, error) {
	if _, err := s.KV.Get(ctx, s.NS, lockKey(ro.Fleet)); err == nil {
		return Rollout{}, ErrLocked
	} else if !kvstore.IsMissing(err) {
		return Rollout{}, err
	}
	ro.ID = httpx.RandomID(8)
	ro.CreatedAt = time.Now().UTC()
	if err := s.KV.Put(ctx, s.NS, lockKey(ro.Fleet), []byte(ro.ID), 0); err != nil { // EXPECT kvrace
		return Rollout{}, err
	}
	b, err := json.Marshal(ro)
	if err != nil {
		return Rollout{}, err
	}
	if err := s.KV.Put(ctx, s.NS, planKey(ro.ID), b, 0); err != nil {
		return Rollout{}, err
	}
	return ro, s.publishManifest(ctx, ro)
}

// publishManifest writes the manifest devices fetch when their wave opens.
func (s Service) publishManifest(ctx context.Context, ro Rollout) error {
	build, err := s.Registry.Build(ctx, ro.Model, ro.Version)
	if err != nil {
		return err
	}
	manifest, err := json.Marshal(build)
	if err != nil {
		return err
	}
	_, err = s.KV.Client.KV.Namespaces.Bulk.Update(ctx, s.NS, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:      cloudflare.F(manifestKey(ro.Model, ro.Version)),
			Value:    cloudflare.F(string(manifest)),
			Metadata: cloudflare.F(map[string]interface{}{"channel": "stable", "notice": installNotice}), // EXPECT kvlimits
		}},
	})
	return err
}

// StageSlotImage stores a full-slot image for bootloaders that flash the
// whole partition. The image is padded with 0xFF, the erased-flash value.
func (s Service) StageSlotImage(ctx context.Context, model, version string, image []byte) error {
	if len(image) > slotSize {
		return fmt.Errorf("rollout: image of %d bytes does not fit the slot", len(image))
	}
	slot := make([]byte, slotSize)
	n := copy(slot, image)
	for i := n; i < len(slot); i++ {
		slot[i] = 0xFF
	}
	key := fmt.Sprintf("fw:%s:%s:slot", model, version)
	return s.KV.Put(ctx, s.NS, key, slot, 0) // EXPECT kvlimits
}

// Get loads a rollout plan.
func (s Service) Get(ctx context.Context, id string) (Rollout, bool, error) {
	resp, err := s.KV.Client.KV.Namespaces.Values.Get(ctx, s.NS, planKey(id), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.KV.AccountID)})
	if err != nil {
		return Rollout{}, false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Rollout{}, false, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return Rollout{}, false, nil
	}
	var ro Rollout
	if err := json.Unmarshal(body, &ro); err != nil {
		return Rollout{}, false, err
	}
	return ro, true, nil
}

// Advance opens the next wave.
func (s Service) Advance(ctx context.Context, id string) (Rollout, error) {
	raw, err := s.KV.Get(ctx, s.NS, planKey(id))
	if err != nil {
		return Rollout{}, err
	}
	var ro Rollout
	if err := json.Unmarshal(raw, &ro); err != nil {
		return Rollout{}, err
	}
	if ro.Current+1 >= len(ro.Waves) {
		return ro, fmt.Errorf("rollout %s: already on the last wave", id)
	}
	ro.Current++
	ro.Paused = false
	b, _ := json.Marshal(ro)
	return ro, s.KV.Put(ctx, s.NS, planKey(id), b, 0) // EXPECT kvrace
}

// Finish releases the fleet lock once the last wave has closed.
func (s Service) Finish(ctx context.Context, ro Rollout) error {
	return s.KV.Delete(ctx, s.NS, lockKey(ro.Fleet))
}

// Manifest returns the manifest for a build and counts the download.
func (s Service) Manifest(ctx context.Context, model, version string) ([]byte, error) {
	hits := 0
	raw, err := s.KV.Get(ctx, s.NS, hitsKey(model, version))
	switch {
	case err == nil:
		if hits, err = strconv.Atoi(string(raw)); err != nil {
			return nil, err
		}
	case !kvstore.IsMissing(err):
		return nil, err
	}
	if err := s.KV.Put(ctx, s.NS, hitsKey(model, version), []byte(strconv.Itoa(hits+1)), 0); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}

	m, err := s.KV.Get(ctx, s.NS, manifestKey(model, version))
	if err == nil {
		return m, nil
	}
	if !kvstore.IsMissing(err) {
		return nil, err
	}
	build, err := s.Registry.Build(ctx, model, version)
	if err != nil {
		return nil, err
	}
	m, _ = json.Marshal(build)
	return m, s.KV.Put(ctx, s.NS, manifestKey(model, version), m, time.Hour)
}

// Handler exposes rollouts over HTTP.
type Handler struct {
	Svc Service
}

// Routes registers the rollout endpoints.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /rollouts", h.create)
	mux.HandleFunc("GET /rollouts/{id}", h.get)
	mux.HandleFunc("POST /rollouts/{id}/advance", h.advance)
	mux.HandleFunc("GET /rollouts/{id}/devices", h.devices)
	mux.HandleFunc("GET /firmware/{model}/{version}", h.manifest)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	var ro Rollout
	if err := httpx.Decode(r, &ro); err != nil || len(ro.Waves) == 0 {
		httpx.Error(w, http.StatusBadRequest, "fleet, model, version and waves are required")
		return
	}
	ro, err := h.Svc.Create(r.Context(), ro)
	if errors.Is(err, ErrLocked) {
		httpx.Error(w, http.StatusConflict, err.Error())
		return
	}
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, ro)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	ro, ok, err := h.Svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	if !ok {
		httpx.Error(w, http.StatusNotFound, "no such rollout")
		return
	}
	httpx.JSON(w, http.StatusOK, ro)
}

func (h *Handler) advance(w http.ResponseWriter, r *http.Request) {
	ro, err := h.Svc.Advance(r.Context(), r.PathValue("id"))
	httpx.Reply(w, r, http.StatusOK, ro, err)
}

func (h *Handler) devices(w http.ResponseWriter, r *http.Request) {
	states, err := h.Svc.DeviceStates(r.Context(), r.PathValue("id"))
	httpx.Reply(w, r, http.StatusOK, states, err)
}

func (h *Handler) manifest(w http.ResponseWriter, r *http.Request) {
	m, err := h.Svc.Manifest(r.Context(), r.PathValue("model"), r.PathValue("version"))
	if err != nil {
		httpx.Internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(m)
}
