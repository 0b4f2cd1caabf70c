package controller

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	edgev1 "github.com/condor-hosting/condor/api/v1alpha1"
	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

const (
	defaultPreviewLifetime = 7 * 24 * time.Hour

	// annotationSessionsFor records the password Secret version that the
	// preview's edge sessions were issued under.
	annotationSessionsFor = "condor.dev/sessions-for"

	// sessionSweepPages bounds the listing of a preview's sessions.
	sessionSweepPages = 20
)

type previewRecord struct {
	Upstream  string `json:"upstream"`
	Site      string `json:"site"`
	Commit    string `json:"commit"`
	Protected bool   `json:"protected,omitempty"`
	ExpiresAt int64  `json:"exp"`
}

type shareTokenRecord struct {
	Namespace string `json:"ns"`
	Preview   string `json:"preview"`
	Host      string `json:"host"`
}

// PreviewReconciler publishes deploy previews and their share tokens.
type PreviewReconciler struct {
	client.Client
	Store *edgekv.Store
	// Domain is the parent domain of preview hostnames.
	Domain string
}

func (r *PreviewReconciler) hostFor(p *edgev1.Preview) string {
	commit := p.Spec.Commit
	if len(commit) > 8 {
		commit = commit[:8]
	}
	return fmt.Sprintf("%s--%s.%s", commit, p.Spec.Site, r.Domain)
}

// Reconcile implements reconcile.Reconciler.
func (r *PreviewReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	logger := log.FromContext(ctx).WithValues("preview", req.NamespacedName)

	var p edgev1.Preview
	if err := r.Get(ctx, req.NamespacedName, &p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	host := r.hostFor(&p)

	if !p.DeletionTimestamp.IsZero() {
		if !controllerutil.ContainsFinalizer(&p, edgev1.Finalizer) {
			return ctrl.Result{}, nil
		}
		if err := r.Store.Delete(ctx, keys.Preview(host)); err != nil {
			return ctrl.Result{}, err
		}
		if tok := p.Status.ShareToken; tok != "" {
			if err := r.Store.Delete(ctx, keys.PreviewToken(tok)); err != nil { // DEBATABLE kvsession
				return ctrl.Result{}, err
			}
		}
		controllerutil.RemoveFinalizer(&p, edgev1.Finalizer)
		return ctrl.Result{}, r.Update(ctx, &p)
	}
	if controllerutil.AddFinalizer(&p, edgev1.Finalizer) {
		if err := r.Update(ctx, &p); err != nil {
			return ctrl.Result{}, err
		}
	}

	expiresAt, err := r.expiry(&p)
	if err != nil {
		logger.Error(err, "bad expires-at annotation; using lifetime")
		expiresAt = p.CreationTimestamp.Add(defaultPreviewLifetime)
	}
	if !time.Now().Before(expiresAt) {
		logger.Info("preview expired, deleting")
		return ctrl.Result{}, client.IgnoreNotFound(r.Delete(ctx, &p))
	}

	body, _ := json.Marshal(previewRecord{
		Upstream:  p.Spec.Upstream,
		Site:      p.Spec.Site,
		Commit:    p.Spec.Commit,
		Protected: p.Spec.Protected,
		ExpiresAt: expiresAt.Unix(),
	})
	if err := r.Store.PutTTL(ctx, keys.Preview(host), body, time.Until(expiresAt)); err != nil { // EXPECT kvttl
		return ctrl.Result{}, err
	}

	if p.Spec.Protected {
		if err := r.ensureShareToken(ctx, &p, host, expiresAt); err != nil {
			return ctrl.Result{}, err
		}
		if err := r.syncPasswordSessions(ctx, &p, host); err != nil {
			return ctrl.Result{}, err
		}
	}

	if p.Status.Hostname != host {
		p.Status.Hostname = host
		at := metav1.NewTime(expiresAt)
		p.Status.ExpiresAt = &at
		if err := r.Status().Update(ctx, &p); err != nil {
			return ctrl.Result{}, err
		}
		line := fmt.Sprintf("%s %s %s", time.Now().UTC().Format(time.RFC3339), p.Spec.Commit, host)
		if err := r.appendHistory(ctx, p.Namespace, p.Spec.Site, line); err != nil {
			logger.Error(err, "appending preview history")
		}
	}
	return ctrl.Result{RequeueAfter: time.Until(expiresAt)}, nil
}

func (r *PreviewReconciler) expiry(p *edgev1.Preview) (time.Time, error) {
	if v, ok := p.Annotations[edgev1.AnnotationExpiresAt]; ok {
		return time.Parse(time.RFC3339, v)
	}
	lifetime := defaultPreviewLifetime
	if p.Spec.Lifetime != nil {
		lifetime = p.Spec.Lifetime.Duration
	}
	return p.CreationTimestamp.Add(lifetime), nil
}

// ensureShareToken mints a share token for protected previews, and a new one
// when the rotate annotation is set.
func (r *PreviewReconciler) ensureShareToken(ctx context.Context, p *edgev1.Preview, host string, expiresAt time.Time) error {
	rotate := p.Annotations[edgev1.AnnotationRotateShareToken] == "true"
	if p.Status.ShareToken != "" && !rotate {
		return nil
	}
	old := p.Status.ShareToken

	tok, err := newToken()
	if err != nil {
		return err
	}
	rec, _ := json.Marshal(shareTokenRecord{Namespace: p.Namespace, Preview: p.Name, Host: host})
	if err := r.Store.PutUntil(ctx, keys.PreviewToken(tok), rec, expiresAt); err != nil {
		return err
	}

	if old != "" {
		if err := r.revokeShareToken(ctx, old); err != nil {
			return err
		}
		if err := r.Store.Delete(ctx, keys.PreviewToken(old)); err != nil { // EXPECT kvsession
			return err
		}
	}

	p.Status.ShareToken = tok
	if err := r.Status().Update(ctx, p); err != nil {
		return err
	}
	if rotate {
		patch := client.MergeFrom(p.DeepCopy())
		delete(p.Annotations, edgev1.AnnotationRotateShareToken)
		return r.Patch(ctx, p, patch)
	}
	return nil
}

// revokeShareToken adds a token to the deny-list the router checks before it
// honours a share link.
func (r *PreviewReconciler) revokeShareToken(ctx context.Context, tok string) error {
	var revoked []string
	raw, err := r.Store.Get(ctx, keys.RevokedShareTokens)
	switch {
	case errors.Is(err, edgekv.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &revoked); err != nil {
			return err
		}
	}
	revoked = append(revoked, tok)
	out, _ := json.Marshal(revoked)
	return r.Store.Put(ctx, keys.RevokedShareTokens, out) // EXPECT kvsession|kvrace
}

// syncPasswordSessions ends every edge session of a preview when its
// password Secret changes.
func (r *PreviewReconciler) syncPasswordSessions(ctx context.Context, p *edgev1.Preview, host string) error {
	var secret corev1.Secret
	name := types.NamespacedName{Namespace: p.Namespace, Name: p.Name + "-password"}
	if err := r.Get(ctx, name, &secret); err != nil {
		return client.IgnoreNotFound(err)
	}
	issuedFor, seen := p.Annotations[annotationSessionsFor]
	if issuedFor == secret.ResourceVersion {
		return nil
	}
	if seen {
		prefix := keys.PreviewSessions(host)
		cursor := ""
		for range sessionSweepPages {
			page, next, err := r.Store.ListPage(ctx, prefix, cursor, 1000)
			if err != nil {
				return err
			}
			names := make([]string, 0, len(page))
			for _, k := range page {
				names = append(names, k.Name)
			}
			if len(names) > 0 {
				_, err := r.Store.API().DeleteWorkersKVEntries(ctx, r.Store.Account(), cloudflare.DeleteWorkersKVEntriesParams{ // EXPECT kvsession
					NamespaceID: r.Store.NamespaceID(),
					Keys:        names,
				})
				if err != nil {
					return err
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	patch := client.MergeFrom(p.DeepCopy())
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations[annotationSessionsFor] = secret.ResourceVersion
	return r.Patch(ctx, p, patch)
}

// appendHistory keeps a plain-text log of previews per site.
func (r *PreviewReconciler) appendHistory(ctx context.Context, namespace, site, line string) error {
	key := keys.PreviewHistory(namespace, site)
	prev, err := r.Store.Get(ctx, key)
	if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	next := string(prev) + line + "\n"
	return r.Store.Put(ctx, key, []byte(next)) // EXPECT kvrace
}

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SetupWithManager registers the reconciler.
func (r *PreviewReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&edgev1.Preview{}).
		Owns(&corev1.Secret{}).
		Named("preview").
		Complete(r)
}
