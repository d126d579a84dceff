// The Kubernetes CEL object types (net.IP, net.CIDR, kubernetes.URL, kubernetes.Quantity,
// kubernetes.NamedFormat, optional_type, the authorizer builders) as protobuf messages built at
// start-up. @bufbuild/cel only knows scalars, lists, maps and messages, so a message is what gives a
// value its own CEL type name (`type(ip('::1')) == net.IP`), method dispatch and equality.
// Each message holds the value's canonical text, so equal values are equal messages.

import { type CelObjectType, objectType } from "@bufbuild/cel";
import {
  create,
  createFileRegistry,
  createRegistry,
  type DescMessage,
  type Registry,
} from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Type as FieldType,
  FileDescriptorProtoSchema,
  FieldDescriptorProto_Label as Label,
} from "@bufbuild/protobuf/wkt";

type FieldSpec = [name: string, type: FieldType, messageType?: string];

function file(pkg: string, messages: Record<string, FieldSpec[]>) {
  return create(FileDescriptorProtoSchema, {
    name: `kubeward/cel/${pkg || "optional"}.proto`,
    package: pkg,
    syntax: "proto3",
    messageType: Object.entries(messages).map(([name, fields]) => ({
      name,
      field: fields.map(([fieldName, type, typeName], i) => ({
        name: fieldName,
        jsonName: fieldName,
        number: i + 1,
        type,
        label: Label.OPTIONAL,
        ...(typeName ? { typeName: `.${typeName}` } : {}),
      })),
    })),
  });
}

const S = FieldType.STRING;
const D = FieldType.DOUBLE;
const B = FieldType.BOOL;
const M = FieldType.MESSAGE;
const AUTHZ = "kubernetes.authorization";

const files = [
  file("net", { IP: [["text", S]], CIDR: [["text", S]] }),
  file("kubernetes", {
    URL: [["text", S]],
    Quantity: [["value", D]],
    NamedFormat: [["name", S]],
  }),
  // `present` and `key` (a canonical rendering of the value) make equality work; the value itself
  // rides along outside the message (see optional.ts).
  file("", {
    optional_type: [
      ["present", B],
      ["key", S],
    ],
  }),
  file(AUTHZ, {
    Authorizer: [["requestResource", M, `${AUTHZ}.ResourceCheck`]],
    PathCheck: [["path", S]],
    GroupCheck: [["group", S]],
    ResourceCheck: [
      ["group", S],
      ["resource", S],
    ],
    Decision: [],
  }),
];

const fileRegistry = createFileRegistry(...files.map((f) => createFileRegistry(f, () => undefined)));

/** The registry the CEL environment resolves the type names (`net.IP`, ...) with. */
export const celTypeRegistry: Registry = createRegistry(fileRegistry);

function message(name: string): DescMessage {
  const desc = fileRegistry.getMessage(name);
  if (!desc) throw new Error(`internal: CEL type ${name} is not registered`);
  return desc;
}

export const IP_DESC = message("net.IP");
export const CIDR_DESC = message("net.CIDR");
export const URL_DESC = message("kubernetes.URL");
export const QUANTITY_DESC = message("kubernetes.Quantity");
export const FORMAT_DESC = message("kubernetes.NamedFormat");
export const OPTIONAL_DESC = message("optional_type");
export const AUTHORIZER_DESC = message(`${AUTHZ}.Authorizer`);
export const PATH_CHECK_DESC = message(`${AUTHZ}.PathCheck`);
export const GROUP_CHECK_DESC = message(`${AUTHZ}.GroupCheck`);
export const RESOURCE_CHECK_DESC = message(`${AUTHZ}.ResourceCheck`);
export const DECISION_DESC = message(`${AUTHZ}.Decision`);

export const IP_TYPE: CelObjectType = objectType(IP_DESC);
export const CIDR_TYPE: CelObjectType = objectType(CIDR_DESC);
export const URL_TYPE: CelObjectType = objectType(URL_DESC);
export const QUANTITY_TYPE: CelObjectType = objectType(QUANTITY_DESC);
export const FORMAT_TYPE: CelObjectType = objectType(FORMAT_DESC);
export const OPTIONAL_TYPE: CelObjectType = objectType(OPTIONAL_DESC);
export const AUTHORIZER_TYPE: CelObjectType = objectType(AUTHORIZER_DESC);
export const PATH_CHECK_TYPE: CelObjectType = objectType(PATH_CHECK_DESC);
export const GROUP_CHECK_TYPE: CelObjectType = objectType(GROUP_CHECK_DESC);
export const RESOURCE_CHECK_TYPE: CelObjectType = objectType(RESOURCE_CHECK_DESC);
export const DECISION_TYPE: CelObjectType = objectType(DECISION_DESC);

/** A new message of a registered type (field names as in the table above). */
export function newValue(desc: DescMessage, fields: Record<string, unknown>): never {
  return create(desc, fields as never) as never;
}

/** The fields of a CEL object value (a ReflectMessage): its plain message. */
export function fieldsOf<T>(value: unknown): T {
  return (value as { message: T }).message;
}

/** The `isX(string)` test of a constructor `x(string)`: whether `parse` accepts the text. */
export function accepts(parse: (text: string) => unknown): (text: string) => boolean {
  return (text) => {
    try {
      parse(text);
      return true;
    } catch {
      return false;
    }
  };
}
