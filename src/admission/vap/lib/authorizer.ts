// The `authorizer` variable of ValidatingAdmissionPolicies (Kubernetes 1.27+). kubeward has no RBAC
// data from the cluster at admission time, so it cannot answer an authorization check. The builder
// calls (path, group, resource, subresource, namespace, name, serviceAccount, requestResource) work;
// check() fails with a clear error, so the expression errors and the policy's failurePolicy decides:
// a check is never silently allowed.
import { CelScalar, celMethod } from "@bufbuild/cel";
import {
  AUTHORIZER_DESC,
  AUTHORIZER_TYPE,
  DECISION_TYPE,
  GROUP_CHECK_DESC,
  GROUP_CHECK_TYPE,
  newValue,
  PATH_CHECK_DESC,
  PATH_CHECK_TYPE,
  RESOURCE_CHECK_DESC,
  RESOURCE_CHECK_TYPE,
} from "./types.js";

export const AUTHORIZER_UNSUPPORTED =
  "authorizer checks are not supported: kubeward has no cluster RBAC data to evaluate them against";

/** The value bound to `authorizer` (and, by field selection, `authorizer.requestResource`). */
export function authorizerValue(): unknown {
  return newValue(AUTHORIZER_DESC, { requestResource: newValue(RESOURCE_CHECK_DESC, {}) });
}

const S = CelScalar.STRING;
const step = (
  name: string,
  from: typeof RESOURCE_CHECK_TYPE,
  to: typeof RESOURCE_CHECK_TYPE,
  make: () => never,
) => celMethod(name, from, [S], to, () => make());
const unsupported = () => {
  throw new Error(AUTHORIZER_UNSUPPORTED);
};
const resourceCheck = () => newValue(RESOURCE_CHECK_DESC, {});

export const authorizerFuncs = [
  step("path", AUTHORIZER_TYPE, PATH_CHECK_TYPE, () => newValue(PATH_CHECK_DESC, {})),
  step("group", AUTHORIZER_TYPE, GROUP_CHECK_TYPE, () => newValue(GROUP_CHECK_DESC, {})),
  celMethod("serviceAccount", AUTHORIZER_TYPE, [S, S], AUTHORIZER_TYPE, () => authorizerValue() as never),
  step("resource", GROUP_CHECK_TYPE, RESOURCE_CHECK_TYPE, resourceCheck),
  step("subresource", RESOURCE_CHECK_TYPE, RESOURCE_CHECK_TYPE, resourceCheck),
  step("namespace", RESOURCE_CHECK_TYPE, RESOURCE_CHECK_TYPE, resourceCheck),
  step("name", RESOURCE_CHECK_TYPE, RESOURCE_CHECK_TYPE, resourceCheck),
  celMethod("check", PATH_CHECK_TYPE, [S], DECISION_TYPE, unsupported),
  celMethod("check", RESOURCE_CHECK_TYPE, [S], DECISION_TYPE, unsupported),
  // A Decision is never produced (check fails first); its methods exist so expressions plan.
  celMethod("allowed", DECISION_TYPE, [], CelScalar.BOOL, unsupported),
  celMethod("errored", DECISION_TYPE, [], CelScalar.BOOL, unsupported),
  celMethod("reason", DECISION_TYPE, [], S, unsupported),
  celMethod("error", DECISION_TYPE, [], S, unsupported),
];
