package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

const (
	verificationTTL   = 24 * time.Hour
	dnsCacheTTL       = 2 * time.Minute
	verifyPollPeriod  = time.Minute
	challengeLabel    = "_condor-challenge."
	pendingCheckGrace = 45 * time.Second
)

// errHostClaimed is reported in status when another CustomDomain owns the
// hostname.
var errHostClaimed = errors.New("hostname is claimed by another site")

// hostRecord maps a customer hostname to the site that serves it.
type hostRecord struct {
	Site       string `json:"site"`
	SiteHost   string `json:"siteHost"`
	VerifiedAt int64  `json:"verifiedAt"`
}

type tlsRecord struct {
	State     string `json:"state"`
	NotAfter  int64  `json:"notAfter,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	UpdatedAt int64  `json:"updatedAt"`
}

// CustomDomainReconciler verifies ownership of customer hostnames through a
// DNS TXT challenge and publishes the verified mapping.
type CustomDomainReconciler struct {
	client.Client
	Store    *edgekv.Store
	Resolver *net.Resolver
}

// Reconcile implements reconcile.Reconciler.
func (r *CustomDomainReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	logger := log.FromContext(ctx).WithValues("domain", req.NamespacedName)

	var cd edgev1.CustomDomain
	if err := r.Get(ctx, req.NamespacedName, &cd); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	host := keys.Normalize(cd.Spec.Hostname)
	owner := req.NamespacedName.String()

	if !cd.DeletionTimestamp.IsZero() {
		if controllerutil.ContainsFinalizer(&cd, edgev1.Finalizer) {
			if err := r.Store.DeleteKeys(ctx, []string{keys.Host(host), keys.HostClaim(host), keys.DomainVerify(host)}); err != nil {
				return ctrl.Result{}, err
			}
			controllerutil.RemoveFinalizer(&cd, edgev1.Finalizer)
			return ctrl.Result{}, r.Update(ctx, &cd)
		}
		return ctrl.Result{}, nil
	}
	if controllerutil.AddFinalizer(&cd, edgev1.Finalizer) {
		if err := r.Update(ctx, &cd); err != nil {
			return ctrl.Result{}, err
		}
	}

	var site edgev1.Site
	if err := r.Get(ctx, types.NamespacedName{Namespace: req.Namespace, Name: cd.Spec.Site}, &site); err != nil {
		return ctrl.Result{}, err
	}

	if cd.Status.VerificationToken == "" {
		if err := r.claimHost(ctx, host, owner); err != nil {
			if errors.Is(err, errHostClaimed) {
				cd.Status.Conflict = err.Error()
				return ctrl.Result{}, r.Status().Update(ctx, &cd)
			}
			return ctrl.Result{}, err
		}
		tok, err := newToken()
		if err != nil {
			return ctrl.Result{}, err
		}
		if err := r.Store.PutTTL(ctx, keys.DomainVerify(host), []byte(tok), verificationTTL); err != nil {
			return ctrl.Result{}, err
		}
		cd.Status.VerificationToken = tok
		cd.Status.Conflict = ""
		if err := r.Status().Update(ctx, &cd); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{RequeueAfter: verifyPollPeriod}, nil
	}

	if !cd.Status.Verified {
		// Tell the router a check is under way so it stops serving the
		// "pending verification" interstitial with a long cache lifetime.
		_, err := r.Store.API().WriteWorkersKVEntries(ctx, r.Store.Account(), cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: r.Store.NamespaceID(),
			KVs: []*cloudflare.WorkersKVPair{{
				Key:        "domain-pending:" + host,
				Value:      owner,
				Expiration: int(time.Now().Add(pendingCheckGrace).Unix()), // EXPECT kvttl
			}},
		})
		if err != nil {
			return ctrl.Result{}, err
		}

		txt, err := r.lookupTXT(ctx, host)
		if err != nil {
			logger.V(1).Info("TXT lookup failed", "err", err)
			return ctrl.Result{RequeueAfter: verifyPollPeriod}, nil
		}
		if !slices.Contains(txt, cd.Status.VerificationToken) {
			return ctrl.Result{RequeueAfter: verifyPollPeriod}, nil
		}
		if err := r.Store.Delete(ctx, keys.DomainVerify(host)); err != nil { // DEBATABLE kvsession
			return ctrl.Result{}, err
		}
		now := metav1.Now()
		cd.Status.Verified = true
		cd.Status.VerifiedAt = &now
		if err := r.Status().Update(ctx, &cd); err != nil {
			return ctrl.Result{}, err
		}
	}

	body, _ := json.Marshal(hostRecord{
		Site:       client.ObjectKeyFromObject(&site).String(),
		SiteHost:   keys.Normalize(site.Spec.Hostname),
		VerifiedAt: verifiedAt(&cd),
	})
	if err := r.Store.Put(ctx, keys.Host(host), body); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.ensureTLSPlaceholder(ctx, host); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

// claimHost reserves a hostname for one CustomDomain so two tenants cannot
// both attach it.
func (r *CustomDomainReconciler) claimHost(ctx context.Context, host, owner string) error {
	key := keys.HostClaim(host)
	if _, err := r.Store.Get(ctx, key); err == nil {
		return fmt.Errorf("%w: %s", errHostClaimed, host)
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	return r.Store.Put(ctx, key, []byte(owner)) // EXPECT kvrace
}

// ensureTLSPlaceholder publishes a "pending" TLS state for a freshly verified
// hostname so the router can show the certificate interstitial; the TLS
// watcher overwrites it once a certificate Secret appears.
func (r *CustomDomainReconciler) ensureTLSPlaceholder(ctx context.Context, host string) error {
	_, err := r.Store.API().GetWorkersKV(ctx, r.Store.Account(), cloudflare.GetWorkersKVParams{ // EXPECT kvnull|kvrace
		NamespaceID: r.Store.NamespaceID(),
		Key:         keys.TLS(host),
	})
	if err == nil {
		return nil
	}
	body, _ := json.Marshal(tlsRecord{State: "pending", UpdatedAt: time.Now().Unix()})
	return r.Store.Put(ctx, keys.TLS(host), body)
}

// lookupTXT resolves the challenge record, caching answers in KV so the
// dashboard's "check now" button does not hammer customer DNS.
func (r *CustomDomainReconciler) lookupTXT(ctx context.Context, host string) ([]string, error) {
	key := keys.DNSCache(host)
	raw, err := r.Store.Get(ctx, key)
	if err == nil {
		return strings.Split(string(raw), "\n"), nil
	}
	if !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}
	txt, err := r.Resolver.LookupTXT(ctx, challengeLabel+host)
	if err != nil {
		return nil, err
	}
	if err := r.Store.PutCached(ctx, key, []byte(strings.Join(txt, "\n")), dnsCacheTTL); err != nil {
		log.FromContext(ctx).Error(err, "caching TXT answer")
	}
	return txt, nil
}

// SetupWithManager registers the reconciler.
func (r *CustomDomainReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&edgev1.CustomDomain{}).
		WithEventFilter(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.LabelChangedPredicate{})).
		Named("customdomain").
		Complete(r)
}

func verifiedAt(cd *edgev1.CustomDomain) int64 {
	if cd.Status.VerifiedAt == nil {
		return 0
	}
	return cd.Status.VerifiedAt.Unix()
}
