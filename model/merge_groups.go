package model

import (
	"slices"
	"strconv"
	"strings"
)

// regroup returns src with its property groups (vCard's "item1." that ties
// an address or value to its label, Customer's Address.Group and
// ExtraProp.Group) renamed where dst already uses the name for other
// properties: two address books both number their groups from item1, and
// merged as they are, one label would end up on two values. A group of
// src whose every member dst holds in one group already takes that
// group's name, so merging the same src twice changes nothing. src itself
// is not changed; without a rename it is returned as it is.
func regroup(dst, src *Customer) *Customer {
	srcGroups := groupNames(src)
	if len(srcGroups) == 0 {
		return src
	}
	dstGroups := groupNames(dst)
	if len(dstGroups) == 0 {
		return src
	}
	used := map[string]bool{}
	for _, g := range append(dstGroups, srcGroups...) {
		used[g] = true
	}
	rename := map[string]string{}
	for _, g := range srcGroups {
		if h, ok := heldGroup(dst, src, g, dstGroups); ok {
			if h != g {
				rename[g] = h
			}
			continue
		}
		if !slices.Contains(dstGroups, g) {
			continue
		}
		n := 1
		for used["item"+strconv.Itoa(n)] {
			n++
		}
		rename[g] = "item" + strconv.Itoa(n)
		used[rename[g]] = true
	}
	if len(rename) == 0 {
		return src
	}
	c := *src
	c.Addresses = append([]Address(nil), src.Addresses...)
	for i := range c.Addresses {
		if h, ok := rename[strings.ToLower(c.Addresses[i].Group)]; ok {
			c.Addresses[i].Group = h
		}
	}
	c.Extra = append([]ExtraProp(nil), src.Extra...)
	for i := range c.Extra {
		if h, ok := rename[strings.ToLower(c.Extra[i].Group)]; ok {
			c.Extra[i].Group = h
		}
	}
	return &c
}

// groupNames lists the groups c uses, lower case, in order of first use.
func groupNames(c *Customer) []string {
	var out []string
	add := func(g string) {
		if g = strings.ToLower(g); g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	for _, a := range c.Addresses {
		add(a.Group)
	}
	for _, x := range c.Extra {
		add(x.Group)
	}
	return out
}

// heldGroup returns the group of dst that holds every member of src's
// group g (addresses by street, postal code and city; extras by name,
// parameters and value).
func heldGroup(dst, src *Customer, g string, dstGroups []string) (string, bool) {
	for _, h := range dstGroups {
		if holdsGroup(dst, h, src, g) {
			return h, true
		}
	}
	return "", false
}

func holdsGroup(dst *Customer, h string, src *Customer, g string) bool {
	for _, a := range src.Addresses {
		if !strings.EqualFold(a.Group, g) {
			continue
		}
		k := addressKey(a)
		if indexOf(len(dst.Addresses), func(i int) bool {
			return strings.EqualFold(dst.Addresses[i].Group, h) && addressKey(dst.Addresses[i]) == k
		}) < 0 {
			return false
		}
	}
	for _, x := range src.Extra {
		if !strings.EqualFold(x.Group, g) {
			continue
		}
		x.Group = h
		k := extraKey(x)
		if indexOf(len(dst.Extra), func(i int) bool { return extraKey(dst.Extra[i]) == k }) < 0 {
			return false
		}
	}
	return true
}
