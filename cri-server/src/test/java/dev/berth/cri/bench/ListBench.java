package dev.berth.cri.bench;

import dev.berth.cri.handler.ContainerHandler;
import dev.berth.cri.handler.SandboxHandler;
import dev.berth.proto.runtime.v1.ContainerStatusRequest;
import dev.berth.proto.runtime.v1.ListContainersRequest;
import dev.berth.proto.runtime.v1.ListContainersResponse;
import dev.berth.proto.runtime.v1.ListPodSandboxRequest;
import dev.berth.proto.runtime.v1.ListPodSandboxResponse;
import dev.berth.proto.runtime.v1.PodSandboxStatusRequest;
import dev.berth.runtime.container.ContainerManager;
import dev.berth.runtime.sandbox.SandboxManager;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kubelet's relist on a node with 1,000 containers (100 pods of 10), as the daemon answers it: ListContainers
 * and ListPodSandbox through their handlers, from the in-memory registries to the serialized response, plus the
 * status calls. Only the registries take part (list and status touch nothing else), so the managers get no other
 * collaborators.
 *
 * <pre>
 * mvn -B -o -q -pl cri-server -am test-compile
 * java -cp "$(cat cri-server/target/bench.classpath):cri-server/target/classes:cri-server/target/test-classes" \
 *     dev.berth.cri.bench.ListBench
 * </pre>
 */
public final class ListBench {

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path dir = Files.createTempDirectory("berth-list-bench-");
        try {
            BenchRecords records = BenchRecords.of(dir, count, 10);
            ContainerManager containers = new ContainerManager(records.containers, null, null, null, null, null,
                    null, null, null, null);
            SandboxManager sandboxes = new SandboxManager(records.sandboxes, null, null, null, null);
            ContainerHandler containerHandler = new ContainerHandler(containers);
            SandboxHandler sandboxHandler = new SandboxHandler(sandboxes, containers);
            ListContainersRequest listContainers = ListContainersRequest.getDefaultInstance();
            ListPodSandboxRequest listSandboxes = ListPodSandboxRequest.getDefaultInstance();
            int bytes = ListContainersResponse.newBuilder()
                    .addAllContainers(containerHandler.list(listContainers)).build().toByteArray().length;
            System.out.println("containers=" + count + " pods=" + records.sandboxes.all().size()
                    + " list_containers_response_bytes=" + bytes);
            System.out.println(Percentiles.measure("ListContainers (handler + serialize)", 2000, 5000,
                    () -> ListContainersResponse.newBuilder().addAllContainers(containerHandler.list(listContainers))
                            .build().toByteArray()));
            System.out.println(Percentiles.measure("ListPodSandbox (handler + serialize)", 2000, 5000,
                    () -> ListPodSandboxResponse.newBuilder().addAllItems(sandboxHandler.list(listSandboxes))
                            .build().toByteArray()));
            String someContainer = records.containers.all().iterator().next().id();
            String someSandbox = records.sandboxes.all().iterator().next().id();
            System.out.println(Percentiles.measure("ContainerStatus by ID", 20000, 50000,
                    () -> containerHandler.status(ContainerStatusRequest.newBuilder().setContainerId(someContainer)
                            .build()).toByteArray()));
            System.out.println(Percentiles.measure("PodSandboxStatus by ID", 20000, 50000,
                    () -> sandboxHandler.status(PodSandboxStatusRequest.newBuilder().setPodSandboxId(someSandbox)
                            .build()).toByteArray()));
        } finally {
            dev.berth.common.fs.Trees.deleteRecursively(dir);
        }
    }
}
