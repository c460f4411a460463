package policy

// emptyContext stands in for a nil Request.Ctx.
var emptyContext Context

// Evaluate decides req against policies (nil entries are skipped) with the
// IAM logic described in the package documentation: an applicable Deny
// anywhere wins, else an applicable Allow allows, else the request is
// implicitly denied. For an Allow the decision names the first applicable
// Allow statement; for a Deny the first applicable Deny statement. Evaluate
// does not allocate, except when a service-specific (Context.Extra) value has
// to be parsed as a date with a time-zone offset or fails to parse as an IP
// address.
func Evaluate(policies []*Compiled, req *Request) Decision {
	ctx := req.Ctx
	if ctx == nil {
		ctx = &emptyContext
	}
	var buf [maxFastAction]byte
	sub, n := newSubject(req, &buf)
	if n >= 0 {
		sub.lowerAction = buf[:n]
	}
	lsub := legacySubject(req, sub)
	allowP, allowS := -1, -1
	for pi, p := range policies {
		if p == nil {
			continue
		}
		psub, alts := &sub, req.Alternates
		if p.legacy {
			psub, alts = &lsub, nil
		}
		for si := range p.stmts {
			s := &p.stmts[si]
			if !s.deny && allowP >= 0 {
				continue // already allowed: only a Deny can change the outcome
			}
			if !s.matchAction(psub, alts) || !s.matchResource(psub) || !s.matchConditions(ctx) {
				continue
			}
			if s.deny {
				return Decision{Allowed: false, Effect: EffectDeny, Policy: pi, Statement: si, Sid: s.sid}
			}
			allowP, allowS = pi, si
		}
	}
	if allowP >= 0 {
		return Decision{Allowed: true, Effect: EffectAllow, Policy: allowP, Statement: allowS,
			Sid: policies[allowP].stmts[allowS].sid}
	}
	return Decision{Effect: EffectImplicitDeny, Policy: -1, Statement: -1}
}

// actionIndex returns the index of the first action pattern matching action,
// or -1.
func (s *compiledStatement) actionIndex(sub *subject) int {
	for i := range s.actions {
		p := &s.actions[i]
		if sub.actionFast && matchASCII(p, sub.lowerAction) ||
			!sub.actionFast && matchWildcard(p.pat, sub.action, true) {
			return i
		}
	}
	return -1
}

// altIndex is actionIndex for an alternate name (the case-folding matcher,
// which does not allocate either).
func (s *compiledStatement) altIndex(action string) int {
	for i := range s.actions {
		if matchWildcard(s.actions[i].pat, action, true) {
			return i
		}
	}
	return -1
}

// matchAction reports whether the statement's Action (NotAction) element
// lets the request through: one of its names matches (matches none).
func (s *compiledStatement) matchAction(sub *subject, alts []string) bool {
	matched := s.actionIndex(sub) >= 0
	for i := 0; !matched && i < len(alts); i++ {
		matched = s.altIndex(alts[i]) >= 0
	}
	return matched != s.notAction
}

// legacySubject is the subject a Legacy policy sees: the request's
// LegacyAction (or sub itself when there is none), matched with the
// case-folding matcher.
func legacySubject(req *Request, sub subject) subject {
	if req.LegacyAction == "" {
		return sub
	}
	return subject{action: req.LegacyAction, resource: sub.resource, resourceASCII: sub.resourceASCII, uri: sub.uri, uriASCII: sub.uriASCII}
}

// resourceIndex returns the index of the first resource pattern matching
// the request's resource (its URI for a Resource {"uri": [...]}), or -1.
func (s *compiledStatement) resourceIndex(sub *subject) int {
	res, ascii := sub.resource, sub.resourceASCII
	if s.resMode == resURI {
		res, ascii = sub.uri, sub.uriASCII
	}
	for i := range s.resources {
		if s.resources[i].match(res, ascii) {
			return i
		}
	}
	return -1
}

func (s *compiledStatement) matchResource(sub *subject) bool {
	switch s.resMode {
	case resList, resURI:
		return s.resourceIndex(sub) >= 0
	case resNot:
		return s.resourceIndex(sub) < 0
	}
	return true
}

func (s *compiledStatement) matchConditions(ctx *Context) bool {
	for i := range s.conds {
		if !s.conds[i].eval(ctx) {
			return false
		}
	}
	return true
}
