package v1alpha1

import (
	"maps"

	"k8s.io/apimachinery/pkg/runtime"
)

// The deep-copy functions below are maintained by hand; the types are small
// and controller-gen is not part of this repository's toolchain.

type deepCopier[T any] interface {
	*T
	DeepCopyInto(*T)
}

func copyItems[T any, P deepCopier[T]](in []T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i := range in {
		P(&in[i]).DeepCopyInto(&out[i])
	}
	return out
}

func (in *Site) DeepCopyInto(out *Site) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Status.PublishedAt = in.Status.PublishedAt.DeepCopy()
}

func (in *Route) DeepCopyInto(out *Route) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.Headers = maps.Clone(in.Spec.Headers)
}

func (in *Redirect) DeepCopyInto(out *Redirect) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
}

func (in *MaintenanceWindow) DeepCopyInto(out *MaintenanceWindow) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.Start.DeepCopyInto(&out.Spec.Start)
	in.Spec.End.DeepCopyInto(&out.Spec.End)
	out.Spec.Bypass = append([]string(nil), in.Spec.Bypass...)
}

func (in *Preview) DeepCopyInto(out *Preview) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	if in.Spec.Lifetime != nil {
		d := *in.Spec.Lifetime
		out.Spec.Lifetime = &d
	}
	out.Status.ExpiresAt = in.Status.ExpiresAt.DeepCopy()
}

func (in *CustomDomain) DeepCopyInto(out *CustomDomain) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Status.VerifiedAt = in.Status.VerifiedAt.DeepCopy()
}

func (in *Site) DeepCopy() *Site         { out := new(Site); in.DeepCopyInto(out); return out }
func (in *Route) DeepCopy() *Route       { out := new(Route); in.DeepCopyInto(out); return out }
func (in *Redirect) DeepCopy() *Redirect { out := new(Redirect); in.DeepCopyInto(out); return out }
func (in *Preview) DeepCopy() *Preview   { out := new(Preview); in.DeepCopyInto(out); return out }
func (in *CustomDomain) DeepCopy() *CustomDomain {
	out := new(CustomDomain)
	in.DeepCopyInto(out)
	return out
}
func (in *MaintenanceWindow) DeepCopy() *MaintenanceWindow {
	out := new(MaintenanceWindow)
	in.DeepCopyInto(out)
	return out
}

func (in *Site) DeepCopyObject() runtime.Object              { return in.DeepCopy() }
func (in *Route) DeepCopyObject() runtime.Object             { return in.DeepCopy() }
func (in *Redirect) DeepCopyObject() runtime.Object          { return in.DeepCopy() }
func (in *MaintenanceWindow) DeepCopyObject() runtime.Object { return in.DeepCopy() }
func (in *Preview) DeepCopyObject() runtime.Object           { return in.DeepCopy() }
func (in *CustomDomain) DeepCopyObject() runtime.Object      { return in.DeepCopy() }

func (in *SiteList) DeepCopyObject() runtime.Object {
	out := &SiteList{TypeMeta: in.TypeMeta, Items: copyItems(in.Items)}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	return out
}

func (in *RouteList) DeepCopyObject() runtime.Object {
	out := &RouteList{TypeMeta: in.TypeMeta, Items: copyItems(in.Items)}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	return out
}

func (in *RedirectList) DeepCopyObject() runtime.Object {
	out := &RedirectList{TypeMeta: in.TypeMeta, Items: copyItems(in.Items)}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	return out
}

func (in *MaintenanceWindowList) DeepCopyObject() runtime.Object {
	out := &MaintenanceWindowList{TypeMeta: in.TypeMeta, Items: copyItems(in.Items)}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	return out
}

func (in *PreviewList) DeepCopyObject() runtime.Object {
	out := &PreviewList{TypeMeta: in.TypeMeta, Items: copyItems(in.Items)}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	return out
}

func (in *CustomDomainList) DeepCopyObject() runtime.Object {
	out := &CustomDomainList{TypeMeta: in.TypeMeta, Items: copyItems(in.Items)}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	return out
}
