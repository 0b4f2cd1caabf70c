package controller

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

// officeBypassCIDRs are the networks that always skip maintenance pages
// (offices, VPN egress, synthetic monitoring). Windows without their own
// bypass list reference the shared list published under sharedBypassKey.
const officeBypassCIDRs = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10," +
	"203.0.113.0/24,198.51.100.0/24,192.0.2.0/24,185.199.108.0/22,140.82.112.0/20," +
	"143.55.64.0/20,2a0a:a440::/29,2606:50c0::/32,151.101.0.0/16,199.232.0.0/16," +
	"104.16.0.0/13,104.24.0.0/14,172.64.0.0/13,131.0.72.0/22,141.101.64.0/18," +
	"108.162.192.0/18,190.93.240.0/20,188.114.96.0/20,197.234.240.0/22,198.41.128.0/17," +
	"162.158.0.0/15,173.245.48.0/20,103.21.244.0/22,103.22.200.0/22,103.31.4.0/22," +
	"2400:cb00::/32,2606:4700::/32,2803:f800::/32,2405:b500::/32,2405:8100::/32," +
	"2a06:98c0::/29,2c0f:f248::/32,34.64.0.0/10,35.184.0.0/13,35.192.0.0/14,35.196.0.0/15"

// sharedBypassKey is content-addressed so that a change to the list yields a
// new key and routers never mix old and new lists.
const sharedBypassKey = "maint-bypass:" + officeBypassCIDRs

// maintenanceRecord is what the router reads under maint:<host>.
type maintenanceRecord struct {
	Window    string   `json:"window"`
	Until     int64    `json:"until"`
	Bypass    []string `json:"bypass,omitempty"`
	BypassKey string   `json:"bypassKey,omitempty"`
	HasPage   bool     `json:"hasPage,omitempty"`
}

// MaintenanceReconciler turns MaintenanceWindow objects into maintenance
// records at the edge while the window is open.
type MaintenanceReconciler struct {
	client.Client
	Store *edgekv.Store
}

// Reconcile implements reconcile.Reconciler.
func (r *MaintenanceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var win edgev1.MaintenanceWindow
	if err := r.Get(ctx, req.NamespacedName, &win); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	var site edgev1.Site
	if err := r.Get(ctx, types.NamespacedName{Namespace: req.Namespace, Name: win.Spec.Site}, &site); err != nil {
		return ctrl.Result{}, err
	}
	host := site.Spec.Hostname
	start, end := win.Spec.Start.Time, win.Spec.End.Time
	now := time.Now()

	if !win.DeletionTimestamp.IsZero() || !now.Before(end) {
		if err := r.Store.DeleteKeys(ctx, []string{keys.Maintenance(host), keys.MaintenancePage(host), "maint-upcoming:" + keys.Normalize(host)}); err != nil {
			return ctrl.Result{}, err
		}
		if controllerutil.RemoveFinalizer(&win, edgev1.Finalizer) {
			if err := r.Update(ctx, &win); err != nil {
				return ctrl.Result{}, err
			}
		}
		return ctrl.Result{}, r.syncActiveSites(ctx, req.Namespace)
	}
	if controllerutil.AddFinalizer(&win, edgev1.Finalizer) {
		if err := r.Update(ctx, &win); err != nil {
			return ctrl.Result{}, err
		}
	}

	if now.Before(start) {
		// Announce the window so the router can show a banner until it opens.
		notice, _ := json.Marshal(map[string]any{"start": start.Unix(), "end": end.Unix()})
		key := "maint-upcoming:" + keys.Normalize(host)
		if err := r.Store.PutTTL(ctx, key, notice, max(time.Until(start), 3*time.Second)); err != nil { // EXPECT kvttl
			return ctrl.Result{}, err
		}
		return ctrl.Result{RequeueAfter: time.Until(start)}, nil
	}

	rec := maintenanceRecord{
		Window:  req.Name,
		Until:   end.Unix(),
		Bypass:  win.Spec.Bypass,
		HasPage: win.Spec.Page != "",
	}
	if len(rec.Bypass) == 0 {
		rec.BypassKey = sharedBypassKey
		if err := r.Store.Put(ctx, sharedBypassKey, []byte(officeBypassCIDRs)); err != nil { // EXPECT kvlimits
			return ctrl.Result{}, err
		}
	}
	body, _ := json.Marshal(rec)
	if err := r.Store.PutUntil(ctx, keys.Maintenance(host), body, end); err != nil {
		return ctrl.Result{}, err
	}

	if win.Spec.Page != "" {
		pair := &cloudflare.WorkersKVPair{
			Key:        keys.MaintenancePage(host),
			Value:      win.Spec.Page,
			Expiration: int(win.Spec.End.UnixMilli()), // EXPECT kvttl
		}
		if err := r.Store.WriteBatch(ctx, []*cloudflare.WorkersKVPair{pair}); err != nil {
			return ctrl.Result{}, err
		}
	} else {
		page := renderDefaultPage(site.Spec.Hostname, end)
		if err := r.Store.PutCached(ctx, keys.MaintenancePage(host), page, time.Until(end)); err != nil {
			return ctrl.Result{}, err
		}
	}

	if err := r.noteWindow(ctx, host, req.Name); err != nil {
		log.FromContext(ctx).Error(err, "recording maintenance note")
	}
	if err := r.syncActiveSites(ctx, req.Namespace); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: time.Until(end)}, nil
}

// noteWindow keeps the names of recent windows of a site for the status page.
func (r *MaintenanceReconciler) noteWindow(ctx context.Context, host, window string) (err error) {
	key := keys.MaintenanceNotes(host)
	var notes []string
	defer func() {
		if err != nil || slices.Contains(notes, window) {
			return
		}
		notes = append(notes, window)
		if len(notes) > 20 {
			notes = notes[len(notes)-20:]
		}
		out, _ := json.Marshal(notes)
		err = r.Store.PutCached(ctx, key, out, 30*24*time.Hour) // EXPECT kvrace
	}()

	raw, err := r.Store.Get(ctx, key)
	if errors.Is(err, edgekv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if jerr := json.Unmarshal(raw, &notes); jerr != nil {
		notes = nil
	}
	return nil
}

// syncActiveSites publishes the list of hosts currently under maintenance,
// which the status page and the router's health endpoint read.
func (r *MaintenanceReconciler) syncActiveSites(ctx context.Context, namespace string) error {
	var wins edgev1.MaintenanceWindowList
	if err := r.List(ctx, &wins, client.InNamespace(namespace)); err != nil {
		return err
	}
	now := time.Now()
	active := []string{}
	for _, w := range wins.Items {
		if now.Before(w.Spec.Start.Time) || !now.Before(w.Spec.End.Time) {
			continue
		}
		var site edgev1.Site
		if err := r.Get(ctx, types.NamespacedName{Namespace: namespace, Name: w.Spec.Site}, &site); err != nil {
			continue
		}
		active = append(active, keys.Normalize(site.Spec.Hostname))
		out, _ := json.Marshal(active)
		if err := r.Store.Put(ctx, keys.ActiveMaintenance, out); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func renderDefaultPage(host string, until time.Time) []byte {
	return []byte("<!doctype html><title>Maintenance</title><h1>" + host +
		" is undergoing scheduled maintenance</h1><p>We expect to be back by " +
		until.UTC().Format(time.RFC1123) + ".</p>")
}

// SetupWithManager registers the reconciler.
func (r *MaintenanceReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&edgev1.MaintenanceWindow{}).
		Named("maintenance").
		Complete(r)
}
